"""Visma eAccounting API v2 stand-in (`EAccounting`): see `vendor` for credentials and paths, `seed` for seeded ids."""

from sandbox.eaccounting.vendor import EAccounting

__all__ = ["EAccounting"]
