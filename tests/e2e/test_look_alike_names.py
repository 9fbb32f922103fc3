"""Issue 25, defect 8: look-alike names cannot forge attribution, through the CLI (in
this process: tests/e2e/in_process.py) on a SQLite file and on PostgreSQL.

Token names "\u0441oord" (Cyrillic es), "coord" + U+200B, full-width "coord" and "Coord" were
accepted beside an existing "coord", and an update made with the U+200B one showed in
``history`` and ``audit --csv`` as "coord"; a correction took a full-width "2" as event 2.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.access import Role
from domain.access_token import PREFIX, AccessToken, _digest
from domain.audit import acting_as, acting_as_owner
from domain.errors import AlreadyExists
from domain.refs import token_aggregate_id
from service.command_models import IssueToken
from service.ledger import Ledger
from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import Shell

REF = "overview/1"
CYRILLIC, ZERO_WIDTH, FULL_WIDTH = "\u0441oord", "coord\u200b", "\uff43\uff4f\uff4f\uff52\uff44"


@pytest.fixture
def shell(db_url: str, tmp_path: Path) -> Shell:
    """A ledger with a plan, a recommendation with an update (events 1 and 2 of its
    history), and a token issued to "coord"."""
    shell = InProcessShell(tmp_path, db=db_url)
    shell("plan", "open", "dhr2", "--title", "DHR Case No 2")
    shell("raise", "dhr2", REF, "--text", "Act robustly", "--target", "July 2014")
    shell("update", "dhr2", REF, "--effective", "Mar 2014", "--text", "Started")
    shell("token", "add", "coord", "--role", "coordinator")
    return shell


def events(open_ledger: Callable[[str], Ledger], db: str) -> int:
    return len(open_ledger(db).recorder.select_notifications(1, 10_000))


def refused(shell: Shell, *args: str) -> str:
    result = shell(*args, ok=False)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (
            CYRILLIC,
            "the token name '\u0441oord' is confusable with the existing token name 'coord'",
        ),
        ("Coord", "the token name 'Coord' is confusable with the existing token name 'coord'"),
        (FULL_WIDTH, "a token was issued to 'coord' before"),  # NFKC makes it "coord"
        (ZERO_WIDTH, "the token's name holds U+200B (ZERO WIDTH SPACE) at position 6"),
    ],
    ids=["cyrillic", "capital", "full-width", "zero-width"],
)
def test_a_look_alike_token_name_is_refused_in_one_line_and_nothing_is_recorded(
    shell: Shell,
    db_url: str,
    open_ledger: Callable[[str], Ledger],
    name: str,
    why: str,
) -> None:
    """Issue 25, defect 8: each of the issue's look-alikes of "coord"."""
    before = events(open_ledger, db_url)
    assert why in refused(shell, "token", "add", name, "--role", "coordinator")
    assert events(open_ledger, db_url) == before


def test_an_actor_with_a_zero_width_space_is_refused_and_nothing_is_recorded(
    shell: Shell, db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    """Issue 25, defect 8: ``--actor`` (here RECLEDGER_ACTOR) goes through the same rule."""
    before = events(open_ledger, db_url)
    shell.env["RECLEDGER_ACTOR"] = ZERO_WIDTH
    line = refused(shell, "update", "dhr2", REF, "--effective", "Apr 2014", "--text", "More")
    assert line == (
        "recledger: the actor holds U+200B (ZERO WIDTH SPACE) at position 6: a name may hold "
        "no invisible, control or formatting character\n"
    )
    assert events(open_ledger, db_url) == before


@pytest.mark.parametrize("number", ["\uff12", "\u00b2"], ids=["full-width 2", "superscript 2"])
def test_a_correction_names_its_event_in_ascii_digits_only(
    shell: Shell, db_url: str, open_ledger: Callable[[str], Ledger], number: str
) -> None:
    """Issue 25, defect 8: a full-width 2 was event 2 (``str.isdigit``); a superscript 2
    passed ``isdigit`` and failed ``int``. Both are refused; "2" is event 2."""
    before = events(open_ledger, db_url)
    line = refused(shell, "correct", "dhr2", REF, number, "--retract", "--reason", "typo")
    assert line == f"recledger: event {number!r}: write the number in ASCII digits (0-9)\n"
    assert events(open_ledger, db_url) == before
    shell("correct", "dhr2", REF, "2", "--retract", "--reason", "typo")
    assert events(open_ledger, db_url) == before + 1


def _issue_as_before(ledger: Ledger, name: str) -> str:
    """A token issued as the ledger did before names were normalised: its name as given."""
    secret = secrets.token_urlsafe(32)
    with acting_as_owner("setup", "test"):
        token = AccessToken._create(
            AccessToken.Issued, id=token_aggregate_id(name), name=name, agencies=[], plans=[],
            role=Role.COORDINATOR.value, secret_sha256=_digest(secret), person=None, reason=None,
            effective=None,
        )  # fmt: skip
        ledger.save(token)
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    return f"{PREFIX}{encoded}.{secret}"


def test_a_token_issued_under_a_name_that_is_not_nfkc_still_authenticates(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    """Issue 25, defect 8, old ledgers: "Zoe" + a combining diaeresis (NFD) still opens
    its token, and acts as the NFKC name; a new "Zo\u00eb" (NFC) is confusable with it."""
    ledger = open_ledger(db_url)
    old = "Zoe\u0308"
    grant = ledger.authenticate(_issue_as_before(ledger, old))
    assert grant.name == old
    with acting_as(grant.name, "test", grant) as context:
        assert context.actor == "Zo\u00eb"
    with acting_as_owner("coordinator", "test"), pytest.raises(AlreadyExists, match="confusable"):
        ledger.issue_token(IssueToken(name="Zo\u00eb", role=Role.AUDITOR))
