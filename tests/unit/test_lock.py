"""The locks (requirements/*.txt, made by scripts/lock.sh) pin every dependency that
pyproject.toml declares, within its bounds, with hashes; and this environment holds exactly
the locked versions (scripts/setup.sh installs from the lock)."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", re.MULTILINE)


def locked(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / f"{name}.txt").read_text()
    return {canonicalize_name(n): v for n, v in PIN.findall(text)}


def declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(r) for r in listed]


def test_every_declared_dependency_is_locked_within_its_bounds_with_hashes() -> None:
    for lock, extra in (("run", None), ("test", "test")):
        pins = locked(lock)
        text = (ROOT / "requirements" / f"{lock}.txt").read_text()
        for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
            assert "--hash=sha256:" in block, f"{lock}.txt: {block.splitlines()[0]} has no hash"
        for requirement in declared(extra):
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{requirement} is not in requirements/{lock}.txt"
            assert requirement.specifier.contains(pins[name], prereleases=True), (
                f"requirements/{lock}.txt pins {name}=={pins[name]}, outside {requirement}"
            )


def test_this_environment_holds_exactly_the_locked_versions() -> None:
    pins = locked("test")
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in distributions()
        if canonicalize_name(d.metadata["Name"]) != "recledger"
    }
    for name, version in installed.items():
        if name in ("pip", "setuptools", "wheel"):
            continue
        assert pins.get(name) == version, (
            f"{name} {version} is installed, the lock says {pins.get(name)}: "
            "run scripts/setup.sh test"
        )
