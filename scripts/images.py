"""`make images`: build every connector's image and run it the way Airbyte does, against the sandbox.

For each connector folder (every `*/metadata.yaml`): `docker build -f <folder>/Dockerfile .` (the repository root is
the build context; `BASE_IMAGE=...` in the environment is passed on as the build argument), then `spec` in the
container, `check` with a sandbox config, and, for each source/destination pair the harness knows, a real
`docker run source read | docker run -i destination write` (into a ledger with `--report`, whose booking report is
then reconciled with the ledger: 0.00 difference expected). Containers use the host network (the stand-ins listen on
127.0.0.1) and the caller's uid (rotated tokens are written back to the mounted config files).

Where `docker info` fails (no engine), nothing is built: the reason is printed and the exit code is 3.

    python scripts/images.py [--dry-run] [--tag dev] [--only FOLDER ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import harness
from connector_common import reconcile

ROOT = Path(__file__).parents[1]
WORKDIR = ROOT / ".demo" / "images"
NO_ENGINE = 3
# connector folder -> the sandbox stand-in its config points at (harness.source_config / destination_config)
SANDBOX_KIND = {"source-shopify-orders": "shopify", "source-lightspeed": "lightspeed_retail",
                "destination-exact-online": "exact", "destination-eaccounting": "eaccounting",
                "source-exact-online": "exact", "destination-shopify": "shopify"}
PIPES = [("source-shopify-orders", "destination-exact-online"), ("source-lightspeed", "destination-eaccounting"),
         ("source-exact-online", "destination-shopify")]
STREAMS = {"source-exact-online": ("stock_levels", "shipments")}  # the way back; the others read orders
LEDGERS = {"destination-exact-online": "exact-online", "destination-eaccounting": "eaccounting"}


def connectors() -> list[str]:
    return sorted(path.parent.name for path in ROOT.glob("*/metadata.yaml"))


def docker_engine() -> str | None:
    """None when a Docker engine answers, else why not (one line)."""
    try:
        probe = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                               timeout=60, check=False)
    except FileNotFoundError:
        return "no docker command on PATH"
    except subprocess.TimeoutExpired:
        return "docker info did not answer within 60 s"
    if probe.returncode != 0:
        lines = [line for line in (probe.stderr or probe.stdout).splitlines() if line.strip()]
        return f"docker info failed: {lines[-1] if lines else f'exit code {probe.returncode}'}"
    return None


@dataclass
class Plan:
    """The docker commands `make images` runs (shell strings, run from the repository root)."""

    tag: str
    workdir: Path

    def image(self, folder: str) -> str:
        return f"bookkeeping-sync/{folder}:{self.tag}"

    def build(self, folder: str) -> str:
        base = os.environ.get("BASE_IMAGE")
        args = ["docker", "build", "-f", f"{folder}/Dockerfile", "-t", self.image(folder),
                *(["--build-arg", f"BASE_IMAGE={base}"] if base else []), "."]
        return shlex.join(args)

    def run(self, folder: str, *command: str, stdin: bool = False) -> str:
        mount = self.workdir / folder_pair_dir(folder)
        args = ["docker", "run", "--rm", *(["-i"] if stdin else []), "--network", "host",
                "--user", f"{os.getuid()}:{os.getgid()}", "-v", f"{mount}:/data", "-w", "/data", self.image(folder),
                *command]
        return shlex.join(args)

    def commands(self, folder: str) -> list[str]:
        out = [self.build(folder), self.run(folder, "spec")]
        if folder in SANDBOX_KIND:
            role = "source" if folder.startswith("source-") else "destination"
            out.append(self.run(folder, "check", "--config", f"{role}_config.json"))
        return out

    def pipe(self, source: str, destination: str) -> str:
        read = self.run(source, "read", "--config", "source_config.json", "--catalog", "source_catalog.json")
        report = ("--report", "report") if destination in LEDGERS else ()
        write = self.run(destination, "write", "--config", "destination_config.json", "--catalog",
                         "destination_catalog.json", *report, stdin=True)
        out = self.workdir / folder_pair_dir(source)
        return f"set -o pipefail; {read} | {write} > {shlex.quote(str(out / 'destination_output.jsonl'))}"


def folder_pair_dir(folder: str) -> str:
    """The work folder shared by a source and its destination (configs, catalogs, outputs)."""
    for source, destination in PIPES:
        if folder in (source, destination):
            return f"{source}-to-{destination}"
    return folder


def prepare_workdirs(servers: dict[str, Any], workdir: Path) -> None:
    """Configs and catalogs of every pipe's pair; each Exact connection gets its own consent (single-use tokens)."""
    exact_connections = 0
    for source, destination in PIPES:
        pair = workdir / folder_pair_dir(source)
        harness.prepare(pair, SANDBOX_KIND[source], SANDBOX_KIND[destination], servers,
                        streams=STREAMS.get(source, ("orders",)))
        for role, folder in (("source", source), ("destination", destination)):
            if SANDBOX_KIND[folder] == "exact":
                exact_connections += 1
                if exact_connections > 1:
                    harness.apply_credentials(pair, role, "exact", harness.reauthorize("exact", servers["exact"]))


def check_status(output: str) -> str:
    for line in output.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("type") == "CONNECTION_STATUS":
            return str(message["connectionStatus"]["status"])
    return "no CONNECTION_STATUS"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the docker commands, run nothing")
    parser.add_argument("--tag", default="dev", help="image tag (default dev)")
    parser.add_argument("--only", action="append", choices=connectors(), help="only these connector folders")
    args = parser.parse_args(argv)
    folders = args.only or connectors()
    plan = Plan(args.tag, WORKDIR)
    if args.dry_run:
        for folder in folders:
            print("\n".join(plan.commands(folder)))
        for source, destination in PIPES:
            if {source, destination} <= set(folders):
                print(plan.pipe(source, destination))
        return 0
    why = docker_engine()
    if why:
        print(f"make images: skipped, {why}: no image was built", file=sys.stderr)
        return NO_ENGINE
    servers = harness.start_sandbox(seed="images", orders=20, shopify=harness.FAST_LIMITS["shopify"],
                                    exact={**harness.FAST_LIMITS["exact"], "catalogue": True})
    failures = 0
    try:
        prepare_workdirs(servers, WORKDIR)
        for folder in folders:
            build, spec, *check = plan.commands(folder)
            print(f"== {folder}: {build}", flush=True)
            if subprocess.run(["bash", "-c", build], cwd=ROOT, check=False).returncode != 0:
                failures += 1
                continue
            answer = subprocess.run(["bash", "-c", spec], capture_output=True, text=True, check=False)
            has_spec = '"SPEC"' in answer.stdout
            print(f"  spec: {'ok' if has_spec else 'FAILED ' + answer.stderr[-300:]}")
            failures += not has_spec
            for command in check:
                answer = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False)
                status = check_status(answer.stdout)
                print(f"  check against the sandbox: {status}")
                failures += status != "SUCCEEDED"
            if folder not in SANDBOX_KIND:
                print("  check and read | write: no sandbox config is known for this connector")
        for source, destination in PIPES:
            if not {source, destination} <= set(folders):
                continue
            workdir = WORKDIR / folder_pair_dir(source)
            print(f"== {source} read | {destination} write", flush=True)
            code = subprocess.run(["bash", "-c", plan.pipe(source, destination)], check=False).returncode
            print(f"  pipe exit code {code}")
            failures += code != 0
            if destination in LEDGERS:  # a ledger: what the shop sold vs what it holds now
                result = reconcile.run(LEDGERS[destination], str(workdir / "destination_config.json"),
                                       [workdir / "report.csv"])
                print(reconcile.render_text(result))
                failures += not result.clean
    finally:
        for server in servers.values():
            server.stop()
    print(f"make images: {len(folders)} image(s), {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
