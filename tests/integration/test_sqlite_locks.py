"""Opening a ledger never drops the hold this process has on a SQLite database.

POSIX locks belong to a process and a file: closing any descriptor of the file releases
them all. Opening a ledger once read the file's header with open() and close(); with a
ledger already open in another thread (as the server's ledger threads are), that released
the process's shared lock, so another process closing its last connection took itself
for the last one anywhere and deleted the write-ahead log still in use here. 16 writers
corrupted the database within 30 s (bench/writers.py). The check now goes through SQLite,
which keeps its locks across its own descriptors.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from adapters.settings import Settings
from adapters.storage import bootstrap

OTHER_PROCESS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
conn.close()  # the last connection anywhere checkpoints and deletes the WAL
"""


def test_opening_a_second_ledger_keeps_this_process_s_hold_on_the_database(
    tmp_path: Path,
) -> None:
    """While this process has the database open, another process closing its connection
    must not find itself the last one, and delete the write-ahead log in use here."""
    db = tmp_path / "ledger.db"
    first = bootstrap(Settings(db=str(db), actor="a"))
    holder = sqlite3.connect(db)
    holder.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
    holder.execute("INSERT INTO probe VALUES (1)")
    holder.commit()
    try:
        assert Path(f"{db}-wal").exists()
        second = bootstrap(Settings(db=str(db), actor="b"))  # as another ledger thread does
        other = subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(db)], check=True)
        assert other.returncode == 0
        assert Path(f"{db}-wal").exists(), "another process deleted the WAL this one uses"
        second.close()
    finally:
        holder.close()
        first.close()
