"""Lightspeed Restaurant (K-Series) stand-in: OAuth2 with rotating refresh tokens, financial-api businesses, sales."""

from sandbox.lightspeed_kseries.routes import LightspeedKSeries

__all__ = ["LightspeedKSeries"]
