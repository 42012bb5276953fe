"""Airbyte destination: book canonical orders in Exact Online as sales invoices, sales orders or sales entries."""

from destination_exact_online.destination import DestinationExactOnline

__all__ = ["DestinationExactOnline"]
