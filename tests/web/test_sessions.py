"""The pages' sessions (issue 25, defect 7): held by the server, in the ledger's database,
shared by its workers; the cookie is an opaque id; signing out, revoking the token or the
time limits end a session at once, everywhere."""

from __future__ import annotations

import base64
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.attacker import Attacker
from tests.web.conftest import OWN, Seeded, auth, seed, serve
from tests.web.test_pages import csrf_of, sign_in

PAGE = f"/plans/dhr2/r/{OWN}"
COOKIE = "recledger_session"


def update_form(client: TestClient | httpx.Client, text: str) -> dict[str, str]:
    """The fields of the page's update form, as the signed-in browser would send them."""
    page = client.get(PAGE).text
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    assert version, page[:500]
    return {
        "effective": "2014-03-03",
        "text": text,
        "expected_version": version.group(1),
        "csrf": csrf_of(page),
    }


def copy_of(client: TestClient | httpx.Client) -> dict[str, str]:
    """The session cookie as an attacker would have saved it."""
    value = client.cookies.get(COOKIE)
    assert value, "signed in: the session cookie is set"
    return {COOKIE: value}


def refused(answer: httpx.Response) -> bool:
    """A page request sent to the sign-in page instead of served."""
    return answer.status_code == 303 and answer.headers["location"] == "/signin"


def test_a_cookie_saved_before_signing_out_is_refused_after_it(
    client: TestClient, seeded: Seeded
) -> None:
    """Issue 25, defect 7: a copy of the cookie saved before /signout still read pages and
    recorded updates through the forms for 12 hours."""
    sign_in(client, seeded.tokens["wmp_lead"])
    form = update_form(client, "Recorded with a stolen cookie")
    saved = copy_of(client)
    signout = client.post("/signout", data={"csrf": form["csrf"]}, follow_redirects=False)
    assert refused(signout)
    thief = TestClient(client.app, cookies=saved)  # the same server (its lifespan running)
    assert refused(thief.get(PAGE, follow_redirects=False))
    assert refused(thief.post(f"{PAGE}/updates", data=form, follow_redirects=False))
    sign_in(client, seeded.tokens["auditor"])
    assert "Recorded with a stolen cookie" not in client.get(PAGE).text


def test_revoking_the_token_ends_its_sessions_at_once(client: TestClient, seeded: Seeded) -> None:
    """Issue 25, defect 7: the session holds the token's name and checks on every request
    that the token is still valid."""
    sign_in(client, seeded.tokens["wmp_lead"])
    form = update_form(client, "After the revocation")
    revoked = client.post(
        "/api/tokens/Wes Lead/revocation",
        json={"reason": "left"},
        headers=auth(seeded.tokens["coordinator"]),
    )
    assert revoked.status_code == 204
    assert refused(client.get(PAGE, follow_redirects=False))
    assert refused(client.post(f"{PAGE}/updates", data=form, follow_redirects=False))


def test_the_cookie_holds_an_opaque_id_and_the_database_only_its_hash(
    client: TestClient, seeded: Seeded
) -> None:
    """Issue 25, defect 7: the signed cookie held the bearer token itself."""
    token = seeded.tokens["coordinator"]
    sign_in(client, token)
    value = client.cookies[COOKIE]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), value
    decoded = base64.urlsafe_b64decode(value + "=")
    secret = token.rsplit(".", 1)[1]
    for part in (token, secret, "Clare Coordinator", "token"):
        assert part not in value and part.encode() not in decoded
    rows = stored_sessions(seeded.db)
    assert len(rows) == 1 and value not in str(rows) and secret not in str(rows)


def stored_sessions(db: str) -> list[tuple[object, ...]]:
    import sqlite3

    if "://" not in db:
        with sqlite3.connect(db) as conn:
            return list(conn.execute("SELECT * FROM rl_sessions"))
    import psycopg

    parts = urlsplit(db)
    with psycopg.connect(parts._replace(query="").geturl()) as conn:
        conn.execute(f'SET search_path TO "{parts.query.removeprefix("schema=")}"')
        return list(conn.execute("SELECT * FROM rl_sessions"))


@pytest.mark.parametrize("limit", ["idle", "absolute"])
def test_a_session_past_its_time_limit_is_refused_and_its_row_removed(
    client: TestClient, seeded: Seeded, limit: str
) -> None:
    """Issue 25, defect 7: sessions end after 1 hour unused, and 12 hours after signing in
    however used (the signed cookie lived 12 hours whatever happened); the row goes."""
    sign_in(client, seeded.tokens["auditor"])
    assert client.get("/plans").status_code == 200
    column = "seen_at" if limit == "idle" else "created_at"
    hours = 1 if limit == "idle" else 12
    Attacker(seeded.db).sql(f"UPDATE rl_sessions SET {column} = {column} - {hours * 3600 + 1}")
    assert refused(client.get("/plans", follow_redirects=False))
    assert stored_sessions(seeded.db) == []


def test_two_workers_share_the_sessions(db_url: str, seed_plan: Path) -> None:
    """Issue 25, defect 7: signed in through one worker, a session is known to the other;
    signed out through one, a saved copy of its cookie is refused by both."""
    seeded = seed(db_url, seed_plan)
    with serve(seeded.db, workers=2) as url:
        with httpx.Client(base_url=url, timeout=30, follow_redirects=True) as browser:
            form = browser.get("/signin")
            signed = browser.post(
                "/signin", data={"token": seeded.tokens["wmp_lead"], "csrf": csrf_of(form.text)}
            )
            assert signed.status_code == 200 and "Wes Lead" in signed.text
            saved = copy_of(browser)
            for n in range(8):  # a connection each: both workers answer
                with httpx.Client(
                    base_url=url, cookies=saved, timeout=30, follow_redirects=True
                ) as other:
                    assert other.get(PAGE).status_code == 200
                    if n == 0:
                        form_fields = update_form(other, "Through another connection")
                        written = other.post(f"{PAGE}/updates", data=form_fields)
                        assert "Recorded (1 event)" in written.text
            browser.post("/signout", data={"csrf": form_fields["csrf"]})
        for _ in range(8):
            with httpx.Client(base_url=url, cookies=saved, timeout=30) as thief:
                assert refused(thief.get(PAGE))
                fields = {**form_fields, "text": "With the saved copy"}
                assert refused(thief.post(f"{PAGE}/updates", data=fields))


@pytest.mark.postgres
def test_the_application_role_keeps_sessions(postgres_url: str, seed_plan: Path) -> None:
    """Issue 25, defect 7: the PostgreSQL role made by ``recledger app-role`` may sign in
    and out: the sessions' table is made, and granted to it, by the command."""
    import subprocess
    import sys

    import psycopg

    seeded = seed(postgres_url, seed_plan)
    role = f"rl_app_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(postgres_url)
    as_role = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}").geturl()
    recledger = Path(sys.executable).with_name("recledger")
    try:
        made = subprocess.run(
            [str(recledger), "--db", postgres_url, "app-role", role],
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
        with (
            serve(as_role) as url,
            httpx.Client(base_url=url, timeout=30, follow_redirects=True) as browser,
        ):
            form = browser.get("/signin")
            signed = browser.post(
                "/signin", data={"token": seeded.tokens["auditor"], "csrf": csrf_of(form.text)}
            )
            assert signed.status_code == 200 and "Audrey Auditor" in signed.text
            saved = copy_of(browser)
            browser.post("/signout", data={"csrf": csrf_of(signed.text)})
            assert refused(httpx.get(f"{url}/plans", cookies=saved))
    finally:
        with psycopg.connect(parts._replace(query="").geturl(), autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
