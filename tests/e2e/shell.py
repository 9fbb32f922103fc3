"""Running the installed ``recledger`` command in a real process, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

RECLEDGER = shutil.which("recledger") or str(Path(sys.executable).with_name("recledger"))


class Shell:
    """Runs ``recledger`` in a working directory, as a named user would."""

    def __init__(self, cwd: Path, db: str | None = None, actor: str = "coordinator") -> None:
        self.cwd = cwd
        self.env = {**os.environ, "RECLEDGER_ACTOR": actor}
        self.env.pop("RECLEDGER_DB", None)
        if db is not None:
            self.env["RECLEDGER_DB"] = db

    def __call__(
        self, *args: str, ok: bool = True, **options: Any
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [RECLEDGER, *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            **options,
        )
        if ok:
            assert result.returncode == 0, result.stderr
        return result
