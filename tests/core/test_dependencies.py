"""constraints.txt pins every dependency, and this environment was installed from it."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pairs = (line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line)
    return {_normalise(name): version.strip() for name, version in pairs}


def test_every_declared_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    missing = sorted({_normalise(Requirement(r).name) for r in declared} - set(_pins()))
    assert not missing, f"Not in constraints.txt (run `make lock`): {missing}"


def test_installed_versions_match_the_pins():
    pins = _pins()
    installed = {_normalise(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}
    differing = {name: (version, installed[name]) for name, version in pins.items()
                 if name in installed and installed[name] != version}
    assert not differing, f"Installed versions differ from constraints.txt (run `make install`): {differing}"
