"""`make images` (scripts/images.py): every connector folder's image is built and run (spec, check, read | write)
where a Docker engine answers; where none does, it says why and builds nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import images  # noqa: E402

import harness  # noqa: E402

FOLDERS = sorted(path.parent.name for path in ROOT.glob("*/metadata.yaml"))


def run_images(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "images.py"), *args], capture_output=True,
                          text=True, timeout=timeout, check=False, cwd=ROOT)


def test_given_the_plan_then_every_connector_folder_is_built_from_the_repository_root_and_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASE_IMAGE", "registry.example/python-connector-base:9.9.9@sha256:" + "0" * 64)

    printed = run_images("--dry-run").stdout.splitlines()

    for folder in FOLDERS:
        build = [line for line in printed if line.startswith(f"docker build -f {folder}/Dockerfile ")]
        assert len(build) == 1 and build[0].endswith(" .")
        assert "--build-arg BASE_IMAGE=registry.example/python-connector-base:9.9.9@sha256:" in build[0]
        runs = [line for line in printed if line.startswith("docker run") and f"bookkeeping-sync/{folder}:" in line]
        assert any(line.endswith(" spec") for line in runs), folder
        if folder in images.SANDBOX_KIND:
            assert any(" check --config " in line for line in runs), folder
    pipes = [line for line in printed if " | docker run --rm -i " in line]
    assert len(pipes) == len(images.PIPES)
    assert all("--network host" in line and " write --config " in line for line in pipes)
    assert sum("--report report" in line for line in pipes) == len(images.LEDGERS)


def test_given_the_work_folders_then_every_pipe_has_its_configs_and_each_exact_connection_its_own_token(
        tmp_path: Path) -> None:
    servers = harness.start_sandbox(seed="images", orders=3, names=["shopify", "exact", "lightspeed_retail",
                                                                    "eaccounting"], exact={"catalogue": True})
    try:
        images.prepare_workdirs(servers, tmp_path)
    finally:
        for server in servers.values():
            server.stop()

    tokens = []
    for source, destination in images.PIPES:
        pair = tmp_path / images.folder_pair_dir(source)
        for name in ("source_config.json", "destination_config.json", "source_catalog.json",
                     "destination_catalog.json"):
            assert (pair / name).exists(), pair / name
        for role, folder in (("source", source), ("destination", destination)):
            if images.SANDBOX_KIND[folder] == "exact":
                tokens.append(json.loads((pair / f"{role}_config.json").read_text())["credentials"]["refresh_token"])
    assert len(tokens) == len(set(tokens)) == 2


def test_given_no_docker_engine_when_make_images_runs_then_it_says_why_and_builds_nothing() -> None:
    if images.docker_engine() is None:
        pytest.skip("a Docker engine answers here: test_given_a_docker_engine... builds the images")
    result = run_images()

    assert result.returncode == images.NO_ENGINE
    assert result.stderr.startswith("make images: skipped, ") and "no image was built" in result.stderr
    assert "==" not in result.stdout


def test_given_a_docker_engine_when_make_images_runs_then_each_image_answers_spec_check_and_books_every_order() -> None:
    why = images.docker_engine()
    if why is not None:
        pytest.skip(f"no Docker engine ({why}): the images are not built here")
    result = run_images(timeout=3600)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.stdout.count("  spec: ok") == len(FOLDERS)
    assert result.stdout.count("check against the sandbox: SUCCEEDED") == len(
        [f for f in FOLDERS if f in images.SANDBOX_KIND])
    assert result.stdout.count("  pipe exit code 0") == len(images.PIPES)
    assert result.stdout.count("difference shop vs ledger: 0.00") == len(
        [pipe for pipe in images.PIPES if pipe[1] in images.LEDGERS])
