"""source-exact-online: stock levels, shipments, products and customers from Exact Online (the way back)."""

from source_exact_online.source import SourceExactOnline

__all__ = ["SourceExactOnline"]
