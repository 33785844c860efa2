"""Shared helpers for the tally tests (pure Python: no Django, no database)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "pabutools_outcomes.json"


def pabulib_dir() -> Path:
    """``PABULIB_DIR`` or the ``shared/pabulib`` folder next to the repository."""
    env = os.environ.get("PABULIB_DIR")
    return Path(env) if env else REPO.parent / "shared" / "pabulib"


def pabulib_path(name: str) -> Path:
    """Path of a shared Pabulib file; a missing file is a failure (in CI and locally)."""
    path = pabulib_dir() / name
    if not path.is_file():
        where = "CI" if os.environ.get("CI") == "true" else "this machine"
        pytest.fail(
            f"Pabulib file {path} is missing on {where}: the tally tests need the shared "
            "Pabulib folder (set PABULIB_DIR, or put shared/pabulib next to the repository).",
            pytrace=False,
        )
    return path


@cache
def oracle() -> ModuleType:
    """``scripts/make_pabutools_fixtures.py`` loaded as a module (pabutools helpers)."""
    path = REPO / "scripts" / "make_pabutools_fixtures.py"
    spec = importlib.util.spec_from_file_location("tally_pabutools_oracle", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@cache
def fixture_data() -> dict:
    if not FIXTURE.is_file():
        pytest.fail(f"{FIXTURE} is missing: run scripts/make_pabutools_fixtures.py", pytrace=False)
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(name="pabulib_path", scope="session")
def _pabulib_path_fixture():
    return pabulib_path


@pytest.fixture(name="oracle", scope="session")
def _oracle_fixture() -> ModuleType:
    return oracle()


@pytest.fixture(name="pabutools_fixture", scope="session")
def _fixture_data_fixture() -> dict:
    return fixture_data()
