"""Console-script entry: run the destination with the CLI arguments (rotated tokens go back to --config FILE)."""

from __future__ import annotations

import sys

from connector_common.protocol import config_path_from_argv
from destination_exact_online.destination import DestinationExactOnline


def run() -> None:
    DestinationExactOnline(config_path=config_path_from_argv(sys.argv)).run(sys.argv[1:])
