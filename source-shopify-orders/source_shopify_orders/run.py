"""Console entry point: `source-shopify-orders spec|check|discover|read ...`."""

from __future__ import annotations

import sys

from airbyte_cdk.entrypoint import launch

from connector_common.protocol import config_path_from_argv
from source_shopify_orders.source import SourceShopifyOrders


def run() -> None:
    """Run the source with the CLI arguments; rotated OAuth tokens are written back to the --config file."""
    launch(SourceShopifyOrders(config_path=config_path_from_argv(sys.argv)), sys.argv[1:])
