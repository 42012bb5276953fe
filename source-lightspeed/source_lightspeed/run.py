"""Console entrypoint: `source-lightspeed spec|check|discover|read ...`."""

from __future__ import annotations

import sys

from airbyte_cdk.entrypoint import launch

from connector_common.protocol import config_path_from_argv
from source_lightspeed.source import SourceLightspeed


def run() -> None:
    source = SourceLightspeed(config_path=config_path_from_argv(sys.argv))
    launch(source, sys.argv[1:])
