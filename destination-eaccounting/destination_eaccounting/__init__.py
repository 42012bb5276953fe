"""Airbyte destination for Visma eAccounting / Spiris: customers, articles and sales documents, booked once."""

from destination_eaccounting.destination import DestinationEaccounting

__all__ = ["DestinationEaccounting"]
