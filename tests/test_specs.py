"""Spec lint across every connector: secret-looking properties are airbyte_secret, nothing can switch off TLS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
SPECS = sorted(ROOT.glob("*-*/*/spec.yaml"))
SECRET_NAME = re.compile(r"(token|secret|password|api_key|apikey|private_key)", re.IGNORECASE)
NOT_SECRET = re.compile(r"(expires|expiry|_at$|auth_method|token_url)", re.IGNORECASE)


def properties(node: Any, path: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict):
                yield f"{path}/{name}", name, prop
                yield from properties(prop, f"{path}/{name}")
        for key in ("oneOf", "anyOf", "allOf"):
            for i, sub in enumerate(node.get(key) or []):
                yield from properties(sub, f"{path}/{key}/{i}")
        if isinstance(node.get("items"), dict):
            yield from properties(node["items"], f"{path}/items")


def test_every_connector_ships_a_spec():
    assert {p.parent.parent.name for p in SPECS} >= {"source-shopify-orders", "source-lightspeed",
                                                     "destination-exact-online", "destination-eaccounting",
                                                     "source-exact-online", "destination-shopify"}


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.parent.parent.name)
def test_secret_looking_properties_are_airbyte_secret(spec_path: Path):
    spec = yaml.safe_load(spec_path.read_text())["connectionSpecification"]
    offenders = [path for path, name, prop in properties(spec)
                 if SECRET_NAME.search(name) and not NOT_SECRET.search(name) and prop.get("type") == "string"
                 and not prop.get("airbyte_secret")]
    assert offenders == [], f"{spec_path}: mark these airbyte_secret: true"


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.parent.parent.name)
def test_no_option_switches_off_tls_verification(spec_path: Path):
    spec = yaml.safe_load(spec_path.read_text())["connectionSpecification"]
    names = [name.lower() for _, name, _ in properties(spec)]
    assert not [n for n in names if "verify" in n or "insecure" in n or "ssl" in n]


def test_no_connector_disables_tls_verification_in_code():
    code = [p for p in ROOT.glob("*/*/**/*.py") if not any(part.startswith(".") for part in p.relative_to(ROOT).parts)]
    offenders = [str(p) for p in code if re.search(r"verify\s*=\s*False", p.read_text("utf-8"))]
    assert offenders == []
