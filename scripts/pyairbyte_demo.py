"""`make pyairbyte`: drive source-shopify-orders into destination-exact-online through PyAirbyte against the sandbox.

Outside CI (PyAirbyte installs about 800 MB). Run with any Python 3.11: the script creates `.venv-pyairbyte` with
PyAirbyte and the connectors (editable) on first use, re-runs itself inside it, starts the Shopify and Exact Online
stand-ins, and runs the connectors' own console scripts through PyAirbyte (`local_executable`, offline mode).
Rotated Exact Online refresh tokens are persisted through `config_change_callback`: PyAirbyte only reports a
CONTROL message, so the callback writes the config file and hands the new config back with `set_config`.
Two syncs: the first reads every order, the shop then takes new orders, the second reads only those (PyAirbyte keeps
the echoed state in a local DuckDB state cache) and books each once. Work files (configs, caches, logs) stay in
`.demo/pyairbyte/`.

    python scripts/pyairbyte_demo.py [--orders N] [--reinstall]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-pyairbyte"
WORKDIR = ROOT / ".demo" / "pyairbyte"
PYAIRBYTE = "airbyte>=0.71,<0.72"
PACKAGES = ("common", "sandbox", "source-shopify-orders", "source-lightspeed", "destination-exact-online",
            "destination-eaccounting")
SOURCE, DESTINATION = "source-shopify-orders", "destination-exact-online"
NEW_ORDERS = 4  # orders the shop takes between the two syncs
STATE_CACHE_DIR = WORKDIR / ".cache" / "state"
ENV = {
    "AIRBYTE_OFFLINE_MODE": "1",  # no registry lookup (it is tried even for local executables) and no telemetry
    "DO_NOT_TRACK": "1",
    "AIRBYTE_PROJECT_DIR": str(WORKDIR),
    "AIRBYTE_INSTALL_DIR": str(WORKDIR),
    "AIRBYTE_CACHE_ROOT": str(WORKDIR / ".cache"),
    "AIRBYTE_LOGGING_ROOT": str(WORKDIR / "logs"),
}


def ensure_venv(reinstall: bool) -> Path:
    """Create .venv-pyairbyte with PyAirbyte and every package of this repository (editable) once."""
    marker = VENV / ".installed"
    if reinstall or not marker.exists():
        started = time.monotonic()
        print(f"Creating {VENV.name} with PyAirbyte and the connectors (about 800 MB, a minute or two) ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        editable = [arg for package in PACKAGES for arg in ("-e", f"./{package}")]
        subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        PYAIRBYTE, *editable], check=True, cwd=ROOT)
        marker.touch()
        print(f"  installed in {time.monotonic() - started:.0f} s")
    return VENV / "bin" / "python"


class PersistedConfig:
    """A config file that follows the connector's CONTROL messages: the `config_change_callback` target."""

    def __init__(self, path: Path, config: dict[str, Any]) -> None:
        self.path = path
        self.connector: Any = None  # the PyAirbyte Source/Destination, set once it exists
        self.rotations = 0
        self.write(config)

    def write(self, config: dict[str, Any]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(config, indent=2))
        tmp.chmod(0o600)
        tmp.replace(self.path)

    def __call__(self, new_config: dict[str, Any]) -> None:
        self.write(new_config)  # first on disk: the old refresh token is dead already
        self.rotations += 1
        if self.connector is not None:
            self.connector.set_config(new_config, validate=False)  # PyAirbyte does not update its own copy

    def load(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.path.read_text())
        return loaded


def booked_documents(server: Any) -> list[Any]:
    import harness  # noqa: PLC0415 - only importable inside .venv-pyairbyte (needs the sandbox package)

    return [b for b in harness.ledger("exact", server) if b.kind == "document"]


def print_booked(label: str, documents: list[Any], before: int) -> None:
    total = sum((d.total for d in documents), Decimal("0"))
    print(f"{label}: {len(documents) - before} new document(s); the ledger holds {len(documents)}, "
          f"{total:.2f} incl. VAT")


def run_demo(orders: int) -> int:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT / "scripts"))
    import airbyte as ab  # noqa: PLC0415 - installed only in .venv-pyairbyte, after the env above is set

    import harness  # noqa: PLC0415

    WORKDIR.mkdir(parents=True, exist_ok=True)
    servers = harness.start_sandbox(seed="pyairbyte", orders=orders, names=["shopify", "exact"],
                                    exact={"minutely_limit": None})
    try:
        source_file = PersistedConfig(WORKDIR / "source_config.json", harness.source_config("shopify", servers))
        destination_file = PersistedConfig(WORKDIR / "destination_config.json",
                                           harness.destination_config("exact", servers))
        source = ab.get_source(SOURCE, config=source_file.load(), streams=["orders"],
                               local_executable=VENV / "bin" / SOURCE, config_change_callback=source_file)
        destination = ab.get_destination(DESTINATION, config=destination_file.load(),
                                         local_executable=VENV / "bin" / DESTINATION,
                                         config_change_callback=destination_file)
        source_file.connector, destination_file.connector = source, destination

        source.check()
        destination.check()  # refreshes the Exact token: the callback persists the rotated refresh token
        print(f"checks passed; Exact refresh token rotated {destination_file.rotations} time(s) so far")

        # PyAirbyte keeps the state the destination echoes in a local DuckDB state cache and hands it to the next
        # read: the second sync reads only what changed since the first one.
        shutil.rmtree(STATE_CACHE_DIR, ignore_errors=True)
        state = ab.new_local_cache("pyairbyte_demo_state", cache_dir=STATE_CACHE_DIR, cleanup=False)
        started = time.monotonic()
        result = destination.write(source, cache=False, state_cache=state)
        first = booked_documents(servers["exact"])
        print_booked(f"first sync ({result.processed_records} order(s) read, {time.monotonic() - started:.1f} s)",
                     first, 0)
        for reference, count in Counter(d.reference for d in first).most_common(1):
            print(f"  one document per order: most often booked reference {reference} x{count}")
        for document in first[:5]:
            print(f"  {document.reference:<24} {document.total:>10.2f}")

        added = servers["shopify"].vendor.add_orders(NEW_ORDERS)
        bookable = {f"#{o.number}" for o in added if o.financial_status in ("paid", "partially_refunded", "refunded")
                    and o.cancelled_at is None}
        print(f"the shop takes {len(added)} new order(s), {len(bookable)} of them paid: {', '.join(sorted(bookable))}")
        started = time.monotonic()
        result = destination.write(source, cache=False, state_cache=state)
        second = booked_documents(servers["exact"])
        read_again = result.processed_records
        print_booked(f"second sync, incremental ({read_again} order(s) read, {time.monotonic() - started:.1f} s)",
                     second, len(first))
        new_references = Counter(d.reference for d in second) - Counter(d.reference for d in first)
        print(f"  new documents: {', '.join(sorted(new_references)) or 'none'}")

        print(f"Exact refresh token rotations persisted: {destination_file.rotations} "
              f"(latest in {destination_file.path.relative_to(ROOT)})")
        once = max(Counter(d.reference for d in second).values()) == 1
        only_new = read_again == len(added) and {harness.order_reference(r) for r in new_references} == bookable
        ok = bool(first) and once and only_new
        print(f"read only the new orders: {'yes' if read_again == len(added) else 'NO'}; "
              f"every order booked once: {'yes' if once else 'NO'}")
        print("PyAirbyte demo " + ("passed" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        for server in servers.values():
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=30, help="orders in the generated shop (default 30)")
    parser.add_argument("--reinstall", action="store_true", help="recreate .venv-pyairbyte")
    args = parser.parse_args(argv)
    if Path(sys.prefix).resolve() != VENV.resolve():
        python = ensure_venv(args.reinstall)
        command = [str(python), str(Path(__file__).resolve()), "--orders", str(args.orders)]
        return subprocess.run(command, env={**os.environ, **ENV}, check=False).returncode
    return run_demo(args.orders)


if __name__ == "__main__":
    sys.exit(main())
