"""Airbyte source for Shopify orders, customers and products in the canonical bookkeeping model."""

from source_shopify_orders.source import SourceShopifyOrders

__all__ = ["SourceShopifyOrders"]
