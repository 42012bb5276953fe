"""Console entrypoint: `source-lightspeed spec|check|discover|read ...`."""

from __future__ import annotations

import sys

from connector_common.entrypoint import run_connector
from connector_common.protocol import config_path_from_argv
from source_lightspeed.source import SourceLightspeed

SUMMARY = ("reads orders (eCom) or till sales (Retail), customers and products from Lightspeed as canonical "
           "bookkeeping records, incrementally")


def run() -> None:
    source = SourceLightspeed(config_path=config_path_from_argv(sys.argv))
    run_connector(source, sys.argv[1:], program="source-lightspeed", summary=SUMMARY)
