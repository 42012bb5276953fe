"""Console entrypoint: `source-exact-online spec|check|discover|read ...`."""

from __future__ import annotations

import sys

from connector_common.entrypoint import run_connector
from connector_common.protocol import config_path_from_argv
from source_exact_online.source import SourceExactOnline

SUMMARY = ("reads stock per item and warehouse, goods deliveries, items and customer accounts from Exact Online "
           "(the way back: ledger -> shop) as canonical records, incrementally")


def run() -> None:
    """Run the source with the CLI arguments; rotated OAuth tokens are written back to the --config file."""
    source = SourceExactOnline(config_path=config_path_from_argv(sys.argv))
    run_connector(source, sys.argv[1:], program="source-exact-online", summary=SUMMARY)
