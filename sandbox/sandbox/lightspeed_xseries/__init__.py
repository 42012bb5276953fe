"""Lightspeed Retail (X-Series, formerly Vend) stand-in: personal token or rotating OAuth2, API 2.0 version paging."""

from sandbox.lightspeed_xseries.routes import LightspeedXSeries

__all__ = ["LightspeedXSeries"]
