"""Console-script entrypoint: runs the destination with the CLI arguments and the config path for write-back."""

import sys

from connector_common.protocol import config_path_from_argv
from destination_shopify.destination import DestinationShopify


def run() -> None:
    DestinationShopify(config_path=config_path_from_argv(sys.argv)).run(sys.argv[1:])
