"""Airbyte source for Lightspeed eCom (C-Series) and Lightspeed Retail (R-Series)."""

from source_lightspeed.source import SourceLightspeed

__all__ = ["SourceLightspeed"]
