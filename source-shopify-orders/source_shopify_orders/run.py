"""Console entry point: `source-shopify-orders spec|check|discover|read ...`."""

from __future__ import annotations

import sys

from connector_common.entrypoint import run_connector
from connector_common.protocol import config_path_from_argv
from source_shopify_orders.source import SourceShopifyOrders

SUMMARY = ("reads orders, customers and products from the Shopify GraphQL Admin API as canonical bookkeeping "
           "records, incrementally")


def run() -> None:
    """Run the source with the CLI arguments; rotated OAuth tokens are written back to the --config file."""
    source = SourceShopifyOrders(config_path=config_path_from_argv(sys.argv))
    run_connector(source, sys.argv[1:], program="source-shopify-orders", summary=SUMMARY)
