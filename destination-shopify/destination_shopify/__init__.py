"""Airbyte destination: stock levels and shipments from a ledger into a Shopify store."""
