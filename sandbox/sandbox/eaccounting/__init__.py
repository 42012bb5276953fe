"""Visma eAccounting API v2 stand-in (`EAccounting`): see `routes` for credentials and paths, `seed` for seeded ids."""

from sandbox.eaccounting.routes import EAccounting

__all__ = ["EAccounting"]
