"""Shared machinery of every connector: canonical model, money, VAT, HTTP, Airbyte helpers."""
