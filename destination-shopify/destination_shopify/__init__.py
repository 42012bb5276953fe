"""Airbyte destination: stock levels and shipments from a ledger into a Shopify store."""

from destination_shopify.destination import DestinationShopify

__all__ = ["DestinationShopify"]
