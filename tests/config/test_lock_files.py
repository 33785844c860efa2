"""The lock files `make demo` / `make test` install from agree with pyproject.toml's pins.

A pin changed in pyproject.toml without `make lock` would otherwise install the old version with
no error (pip installs what the lock says, then the app with --no-deps)."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCKS = {"app": ROOT / "requirements" / "app.lock", "test": ROOT / "requirements" / "test.lock"}


def _locked(path: Path) -> dict[str, list[str]]:
    """name -> the versions the lock pins (several when Python versions need different ones),
    checking that every one carries at least one SHA-256."""
    versions: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        head = re.match(r"([A-Za-z0-9._-]+)==([^ ;\\\n]+)", block)
        if head is None:
            continue
        assert "--hash=sha256:" in block, f"{path.name}: {head.group(0)} has no hash"
        name = re.sub(r"[-_.]+", "-", head.group(1)).lower()
        versions.setdefault(name, []).append(head.group(2))
    return versions


def _pins(requirements: list[str]) -> list[Requirement]:
    return [Requirement(line) for line in requirements]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("app", PYPROJECT["project"]["dependencies"]),
        (
            "test",
            PYPROJECT["project"]["dependencies"]
            + PYPROJECT["project"]["optional-dependencies"]["test"],
        ),
    ],
)
def test_every_pin_of_pyproject_is_locked_at_its_version(lock, requirements):
    locked = _locked(LOCKS[lock])
    for requirement in _pins(requirements):
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in locked, f"{name} is not in {lock}.lock: run make lock"
        for version in locked[name]:
            assert requirement.specifier.contains(version), (
                f"{lock}.lock has {name}=={version}, pyproject.toml says {requirement}: "
                "run make lock"
            )


def test_the_app_lock_holds_no_test_tool():
    locked = _locked(LOCKS["app"])
    for tool in ("pytest", "moto", "pabutools", "playwright", "mypy"):
        assert tool not in locked
