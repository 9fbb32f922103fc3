"""An installed recledger holds every file it reads, not only a checkout's editable install."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_beside_the_modules_is_installed_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data: dict[str, list[str]] = config["tool"]["setuptools"].get("package-data", {})
    missing = []
    for package in ("domain", "projections", "service", "adapters"):
        for path in sorted((ROOT / package).rglob("*")):
            if not path.is_file() or path.suffix in {".py", ".pyc"}:
                continue
            if "__pycache__" in path.parts:
                continue
            inside = path.relative_to(ROOT / package).as_posix()
            if not any(fnmatch(inside, glob) for glob in data.get(package, [])):
                missing.append(f"{package}/{inside}")
    assert missing == [], (
        "not installed by `pip install` (add them to [tool.setuptools.package-data] in "
        f"pyproject.toml): {missing}"
    )
