"""Console-script entrypoint: runs the destination with the CLI arguments and the config path for write-back."""

import sys

from connector_common.entrypoint import run_connector
from connector_common.protocol import config_path_from_argv
from destination_eaccounting.destination import DestinationEaccounting

SUMMARY = ("books canonical webshop orders in Visma eAccounting as invoice drafts, invoices or sales orders, "
           "exactly once")


def run() -> None:
    destination = DestinationEaccounting(config_path=config_path_from_argv(sys.argv))
    run_connector(destination, sys.argv[1:], program="destination-eaccounting", summary=SUMMARY)
