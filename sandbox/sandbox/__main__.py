"""`python -m sandbox serve [--seed demo] [--orders N] [--latency S] [--fault KIND:RATE ...] [--shopify-orders PATH]`:
serve every stand-in.

It prints one line per stand-in, `<name> <base URL>`, each followed by indented `  <setting> <value>` lines: the
credentials that stand-in accepts (refresh tokens and authorization codes are the initial, single-use ones: each
refresh rotates them), then the line `ready: ...`. `--json` prints one object instead:
{name: {"base_url": ..., "credentials": {...}}}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from typing import Any

from sandbox import VENDORS, start

# the stand-ins' credential constants (class attributes); lower-cased, they are the connectors' config settings
CREDENTIALS = ("ACCESS_TOKEN", "API_KEY", "API_SECRET", "CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN",
               "AUTHORIZATION_CODE", "REDIRECT_URI", "ACCOUNT_ID", "DIVISION")
READY = "ready: serving until stopped (Ctrl-C or SIGTERM)"


def credentials(vendor: object) -> dict[str, str]:
    """What a stand-in started by `serve` accepts (serve never overrides the class constants)."""
    return {constant.lower(): str(getattr(vendor, constant)) for constant in CREDENTIALS if hasattr(vendor, constant)}


def _fault(text: str) -> dict[str, Any]:
    kind, _, rate = text.partition(":")
    return {"kind": kind, "rate": float(rate or 1.0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start every vendor stand-in and serve until stopped")
    serve.add_argument("--seed", default=None, help="seed name for the generated shop, e.g. 'demo'")
    serve.add_argument("--orders", type=int, default=50, help="orders in the generated shop")
    serve.add_argument("--latency", type=float, default=0.0, help="simulated seconds per request")
    serve.add_argument("--fault", action="append", default=[], type=_fault, help="KIND:RATE, e.g. 429:0.05")
    serve.add_argument("--only", action="append", default=None, choices=sorted(VENDORS), help="start only these")
    serve.add_argument("--port-base", type=int, default=0, help="first port, vendors get consecutive ports")
    serve.add_argument("--json", action="store_true", help="print URLs and credentials as one JSON object instead")
    serve.add_argument("--shopify-orders", default=None, metavar="PATH",
                       help="Shopify REST order JSON (a file or a folder of files) to replay in the Shopify stand-in")
    args = parser.parse_args(argv)

    servers = {}
    for i, name in enumerate(args.only or VENDORS):
        port = args.port_base + i if args.port_base else 0
        extra = {"shopify_orders": args.shopify_orders} if name == "shopify" and args.shopify_orders else {}
        try:
            server = start(name, port=port, latency=args.latency, seed=args.seed, orders=args.orders, **extra)
        except ValueError as exc:  # a replay file that is not an order, named with the reason
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for fault in args.fault:
            server.add_fault(**fault)
        servers[name] = server
    if args.json:
        print(json.dumps({name: {"base_url": s.base_url, "credentials": credentials(s.vendor)}
                          for name, s in servers.items()}), flush=True)
    else:
        for name, s in servers.items():
            print(f"{name} {s.base_url}", flush=True)
            for setting, value in credentials(s.vendor).items():
                print(f"  {setting} {value}", flush=True)
        print(READY, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    for s in servers.values():
        s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
