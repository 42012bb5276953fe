"""Console-script entrypoint: runs the destination with the CLI arguments and the config path for write-back."""

import sys

from connector_common.protocol import config_path_from_argv
from destination_eaccounting.destination import DestinationEaccounting


def run() -> None:
    DestinationEaccounting(config_path=config_path_from_argv(sys.argv)).run(sys.argv[1:])
