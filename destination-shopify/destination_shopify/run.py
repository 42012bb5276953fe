"""Console-script entrypoint: runs the destination with the CLI arguments and the config path for write-back."""

from __future__ import annotations

import sys

from connector_common.entrypoint import run_connector
from connector_common.protocol import config_path_from_argv
from destination_shopify.destination import DestinationShopify

SUMMARY = "writes stock levels and shipments (the way back: ledger -> shop) to a Shopify store"


def run() -> None:
    """Run the destination with the CLI arguments; rotated OAuth tokens are written back to the --config file."""
    destination = DestinationShopify(config_path=config_path_from_argv(sys.argv))
    run_connector(destination, sys.argv[1:], program="destination-shopify", summary=SUMMARY)
