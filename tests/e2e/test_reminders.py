"""Reminders by e-mail (issue 27), through a real SMTP server on loopback (aiosmtpd): one
digest a person with their own items, requests and proposals; a second run the same day
sends nothing; a digest the server refused is sent by the next run, and only it; a person
who opted out gets none. `recledger remind` in this process (tests/e2e/in_process.py), on
SQLite and PostgreSQL."""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.e2e.in_process import InProcessShell
from tests.web.conftest import free_port

JANE = "jane@wmp.police.uk"
CORA = "cora@csp.gov.uk"
QUIET = "quiet@wmp.police.uk"


class Inbox:
    """What the server received; it refuses the recipients in ``refuse``."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def text_of(message: Message) -> str:
    [plain] = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    payload = plain.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_remind_sends_one_digest_a_person_a_day_and_resends_only_what_failed(
    tmp_path: Path, seed_plan: Path, db_url: str, inbox: tuple[Inbox, int]
) -> None:
    received, port = inbox
    shell = InProcessShell(tmp_path, db=db_url)
    shell.env |= {"RECLEDGER_SMTP_URL": f"smtp://127.0.0.1:{port}",
                  "RECLEDGER_BASE_URL": "https://ledger.example.org",
                  "RECLEDGER_MAIL_FROM": "ledger@csp.gov.uk"}  # fmt: skip
    shell("import", str(seed_plan))
    shell("agency", "add", "West Mercia Police")
    shell("person", "add", "Jane Smith", "--email", JANE, "--agency", "west-mercia-police",
          "--alias", "Det Supt Head of PVP", "--alias", "Det Supt HQ PVP")  # fmt: skip
    shell("person", "add", "Cora", "--email", CORA)
    shell("person", "add", "Quiet", "--email", QUIET, "--agency", "west-mercia-police",
          "--no-reminders", "--alias", "Steve Sanger")  # fmt: skip
    shell("request", "dhr2", "--agency", "West Mercia Police")
    lead = shell("token", "add", "--person", JANE).stdout.splitlines()[-1]
    shell("--token", lead, "complete", "dhr2", "imr/west-mercia-police/2", "--effective",
          "2014-03-01")  # fmt: skip

    dry = shell("remind", "--dry-run", "--as-at", "2014-03-01")
    assert f"would send to {JANE}" in dry.stdout and f"would send to {CORA}" in dry.stdout
    assert received.messages == []

    received.refuse = {CORA}
    first = shell("remind", "--as-at", "2014-03-01")
    assert "sent 1 reminder for 2014-03-01" in first.stdout
    assert f"not sent to {CORA}" in first.stderr
    [jane] = received.to(JANE)
    assert jane["From"] == "ledger@csp.gov.uk" and "2014-03-01" in jane["Subject"]
    assert jane["Date"] and jane["Message-ID"].endswith("@csp.gov.uk>")  # RFC 5322
    body = text_of(jane)
    assert "Overdue (2):" in body and "dhr2 imr/west-mercia-police/1: due Autumn 2013" in body
    assert "https://ledger.example.org/plans/dhr2/r/imr/west-mercia-police/1" in body
    assert "Updates asked of you, not yet given" in body and "sign-off" not in body
    assert lead.split(".")[-1] not in str(jane)  # no secret in a message
    assert received.to(QUIET) == []

    received.refuse = set()
    again = shell("remind", "--as-at", "2014-03-01")
    assert "sent 1 reminder for 2014-03-01" in again.stdout
    [cora] = received.to(CORA)  # the one refused before, and only it
    assert "Changes awaiting your sign-off (1):" in text_of(cora)
    assert len(received.to(JANE)) == 1
    third = shell("remind", "--as-at", "2014-03-01")
    assert "sent 0 reminders" in third.stdout and len(received.messages) == 2
    history = json.loads(shell("audit", "--type", "Reminded", "--json").stdout)
    assert sorted((row["ref"], row["effective"]) for row in history) == [  # whom, which day
        *[(f"person/{CORA}", "2014-03-01")] * 2,
        (f"person/{JANE}", "2014-03-01"),
    ]  # Jane, Cora refused, Cora again


def test_remind_without_a_mail_server_is_refused_in_one_line(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    shell("person", "add", "Steve", "--email", "steve@example.org", "--alias", "Steve Sanger")
    refused = shell("remind", "--as-at", "2014-03-01", ok=False)
    assert refused.returncode == 2 and "RECLEDGER_SMTP_URL" in refused.stderr
