"""Issue 25, defect 6: an uploaded workbook is read within the import's limits.

A coordinator's upload of a 4.6 MB workbook whose shared strings expand to 2 GiB drove the
server to 3.9 GB and unresponsive, even with ``dry_run=true``. It is refused (422) naming the
file and the limit, on both backends, nothing recorded; a real ``recledger serve`` process
stays within bounded memory doing so and answers the next request.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.hostile_files import bomb, peak_rss
from tests.web.conftest import Seeded, auth, serve

MB = 1000 * 1000


@pytest.fixture(scope="module")
def bomb_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx").read_bytes()


def refused(answer: httpx.Response) -> str:
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert len(detail) == 1
    message: str = detail[0]["msg"]
    assert "\n" not in message
    return message


@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_an_uploaded_xlsx_bomb_is_refused_naming_the_limit_and_nothing_is_recorded(
    client: TestClient, seeded: Seeded, bomb_bytes: bytes, dry_run: str
) -> None:
    """Issue 25, defect 6: through the API, as a coordinator, dry run or not."""
    headers = auth(seeded.tokens["coordinator"])
    before = client.get("/api/head", headers=headers).json()
    answer = client.post(
        "/api/imports",
        files={"file": ("bomb.xlsx", bomb_bytes)},
        data={"plan": "bombed", "dry_run": dry_run},
        headers=headers,
    )
    message = refused(answer)
    assert "bomb.xlsx: the workbook expands to more than 50 MiB" in message
    assert "the limit is 50 MiB uncompressed in all" in message
    assert client.get("/api/head", headers=headers).json() == before
    plans = [plan["plan"] for plan in client.get("/api/plans", headers=headers).json()]
    assert plans == ["dhr2"]


def _pid_listening(url: str) -> int:
    """The ``recledger serve`` process started for ``url`` (its command line names the port)."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if proc.name.isdigit() and b"serve" in args and port.encode() in args:
            return int(proc.name)
    raise AssertionError(f"no process serves {url}")


def test_a_served_upload_of_an_xlsx_bomb_keeps_the_server_in_bounded_memory(
    seeded_sqlite: Seeded, bomb_bytes: bytes
) -> None:
    """Issue 25, defect 6: the server process's peak memory (VmHWM) stays under 300 MB and
    it answers the next request at once."""
    headers = auth(seeded_sqlite.tokens["coordinator"])
    with serve(seeded_sqlite.db) as url:
        pid = _pid_listening(url)
        answer = httpx.post(
            f"{url}/api/imports",
            files={"file": ("bomb.xlsx", bomb_bytes)},
            data={"dry_run": "true"},
            headers=headers,
            timeout=60,
        )
        assert "bomb.xlsx: the workbook expands to more than 50 MiB" in refused(answer)
        peak = peak_rss(pid)
        assert peak < 300 * MB, f"the server peaked at {peak / MB:.0f} MB"
        assert httpx.get(f"{url}/api/plans", headers=headers, timeout=5).status_code == 200
