"""Every file the packages read at run time (anything not Python) is declared as package
data, so the wheel carries it. scripts/wheel-check.sh proves the wheel works outside the
checkout; this names the missing file at once, without a build."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "projections", "service", "adapters")


def test_every_data_file_of_the_packages_is_declared_package_data() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    data_files = [
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert data_files, "no data files found: the test looks in the wrong place"
    for path in data_files:
        package = ".".join(path.parent.relative_to(ROOT).parts)
        owners = [p for p in declared if package == p or package.startswith(p + ".")]
        matched = any(
            fnmatch(str(path.relative_to(ROOT / owner.replace(".", "/"))), pattern)
            for owner in owners
            for pattern in declared[owner]
        )
        assert matched, f"{path.relative_to(ROOT)} is read at run time but not in the wheel"
