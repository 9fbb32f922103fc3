"""Reminders (issue 27): a `recledger remind` killed half-way and run again sends nothing
twice. A real ``recledger`` process sends through a real SMTP server on loopback (aiosmtpd)
that takes the first digest and holds the second unanswered; the process is killed there
(SIGKILL), the server let go, and `recledger remind` run again for the same day (in this
process: tests/e2e/in_process.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import email
import json
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import RECLEDGER
from tests.e2e.test_reminders import Inbox, text_of
from tests.web.conftest import free_port

DAY = "2014-03-01"
PEOPLE = {  # email: name, agency, the lead the seed plan names them as; items overdue at DAY
    "hana@wmp.police.uk": ("Hana Head", "west-mercia-police", "Det Supt Head of PVP"),
    "mac@wmp.police.uk": ("Mac McNevin", "west-mercia-police", "Ch Supt McNevin"),
    "sally@wmp.police.uk": ("Sally Justice", "west-mercia-police", "Chief Supt Safety & Justice"),
    "steve@cri.org.uk": ("Steve Rivers", "", "Steve Sanger"),
}
WAIT = 20.0
"""The most a step may take, in seconds (each takes well under one)."""


class HoldingInbox(Inbox):
    """:class:`Inbox` that holds the second message it is given: it has the whole message
    (aiosmtpd calls ``handle_DATA`` after the client's final dot) but gives no answer until
    ``release``, as a stuck mail server would. The messages before and after it are taken
    at once."""

    def __init__(self) -> None:
        super().__init__()
        self.held: Message | None = None
        self.holding = threading.Event()  # the second message is in the server's hands
        self.release = threading.Event()  # then answer it (250) and take it
        self.dropped = threading.Event()  # its client went before it was answered
        self._given = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self._given += 1
        if self._given == 2:
            self.held = email.message_from_bytes(envelope.content)
            self.holding.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.01)
            except asyncio.CancelledError:  # aiosmtpd ends a session whose client is gone
                self.dropped.set()
                raise
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def serving(handler: HoldingInbox) -> Iterator[int]:
    """An SMTP server on loopback with ``handler``, until the block ends; its port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        handler.release.set()
        controller.stop()


def events(shell: InProcessShell, kind: str) -> list[dict[str, Any]]:
    """The events of type ``kind`` in the ledger's log."""
    found: list[dict[str, Any]] = json.loads(shell("audit", "--type", kind, "--json").stdout)
    return found


def addressee(message: Message) -> str:
    [found] = [address for address in PEOPLE if address in message["To"]]
    return found


def test_a_run_killed_while_sending_and_run_again_sends_nothing_twice(
    tmp_path: Path, seed_plan: Path, db_url: str
) -> None:
    """What the design guarantees: a digest is recorded (``Reminded``) before it is sent,
    so it is sent at most once a person a day however a run ends. Killed half-way, a run
    leaves the people it had not reached unrecorded, and the next run that day sends each
    of them exactly one. The digest in flight at the kill is recorded but its sending never
    finished, and no run that day sends it again: its person gets at most one that day.

    What happens to that one here: the server had the whole message but had not answered
    when the client was killed, and aiosmtpd drops a session whose client is gone (it
    cancels the handler), so the server never takes it. The digest is lost for the day:
    its person gets none that day, nothing in the ledger says it was not sent (no
    ``ReminderFailed``), and the next day's digest is the next they get. (A mail server that
    takes a message once it has it whole, before answering, would have given them that one
    exactly once.)"""
    shell = InProcessShell(tmp_path, db=db_url)
    shell("import", str(seed_plan))
    shell("agency", "add", "West Mercia Police")
    for address, (name, agency, lead) in PEOPLE.items():
        shell("person", "add", name, "--email", address, "--alias", lead,
              *(["--agency", agency] if agency else []))  # fmt: skip
    server = HoldingInbox()
    with serving(server) as port:
        shell.env |= {"RECLEDGER_SMTP_URL": f"smtp://127.0.0.1:{port}"}
        run = subprocess.Popen(
            [RECLEDGER, "remind", "--as-at", DAY], cwd=shell.cwd, env=shell.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            holding = server.holding.wait(WAIT)
        finally:
            run.send_signal(signal.SIGKILL)
            out, err = run.communicate(timeout=WAIT)
        assert holding and run.returncode == -signal.SIGKILL, (run.returncode, out, err)
        assert server.dropped.wait(WAIT)  # the client's connection closed under it
        server.release.set()

        [first] = server.messages  # taken; the second held, then dropped
        assert server.held is not None and DAY in server.held["Subject"]
        in_flight = addressee(server.held)
        rest = sorted(set(PEOPLE) - {addressee(first), in_flight})
        assert len(rest) == 2 and len(events(shell, "Reminded")) == 2
        unrecorded = shell("remind", "--dry-run", "--as-at", DAY).stdout.splitlines()
        assert sorted(line.split()[3].rstrip(":") for line in unrecorded
                      if line.startswith("would send to ")) == rest  # fmt: skip

        again = shell("remind", "--as-at", DAY)
        assert again.stdout == f"sent 2 reminders for {DAY}\n"
        assert shell("remind", "--as-at", DAY).stdout == f"sent 0 reminders for {DAY}\n"
        for address in PEOPLE:
            received = server.to(address)
            assert len(received) == (address != in_flight), (address, in_flight)
            assert all(DAY in m["Subject"] and "Overdue (" in text_of(m) for m in received)
        assert len(events(shell, "Reminded")) == 4 and events(shell, "ReminderFailed") == []

        next_day = shell("remind", "--as-at", "2014-03-02")
        assert next_day.stdout == "sent 4 reminders for 2014-03-02\n"
        [late] = server.to(in_flight)
        assert "2014-03-02" in late["Subject"]

    verified = shell("verify")
    assert verified.returncode == 0, verified.stdout
