"""Console-script entry: run the destination with the CLI arguments (rotated tokens go back to --config FILE)."""

from __future__ import annotations

import sys

from connector_common.entrypoint import run_connector
from connector_common.protocol import config_path_from_argv
from destination_exact_online.destination import DestinationExactOnline

SUMMARY = ("books canonical webshop orders in Exact Online as sales invoices, sales orders or sales entries, "
           "exactly once")


def run() -> None:
    destination = DestinationExactOnline(config_path=config_path_from_argv(sys.argv))
    run_connector(destination, sys.argv[1:], program="destination-exact-online", summary=SUMMARY)
