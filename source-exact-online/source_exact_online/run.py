"""Console entrypoint: `source-exact-online spec|check|discover|read ...`."""

from __future__ import annotations

import sys

from airbyte_cdk.entrypoint import launch

from connector_common.protocol import config_path_from_argv
from source_exact_online.source import SourceExactOnline


def run() -> None:
    source = SourceExactOnline(config_path=config_path_from_argv(sys.argv))
    launch(source, sys.argv[1:])
