"""``verify --report``: is a report what the log said at the head it states?

It reads the report's claim (``adapters/reports/claim.py``), checks that the log holds
the head the claim states at its position, then makes the report again from the log up
to there (the plan's own events, copied into a ledger in memory, projected afresh: never
the read models, which could have been edited) and compares it with the file, line by
line. One of three things happened:

- **genuine**: the log holds that head, and the report is what it said there;
- **altered**: the report is not what the log said: where the first difference is, or
  that its stamp states a head the log (intact) never had;
- **log changed**: the log no longer holds the head the report was made at (and
  ``verify`` says how it was changed).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from eventsourcing.persistence import StoredEvent

from adapters.reports import render
from adapters.reports.claim import Claim, content_digest, draft, read_claim, report_text
from adapters.reports.shape import read_stamp
from adapters.settings import Settings
from domain.errors import InvalidCommand
from service import access, integrity, reports
from service.ledger import Ledger

Outcome = Literal["genuine", "altered", "log changed"]


@dataclass(frozen=True)
class ReportCheck:
    outcome: Outcome
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"outcome": self.outcome, "detail": self.detail}


def check_report(ledger: Ledger, path: Path) -> ReportCheck:
    """What ``path`` is, of this ledger's log (see the module's docstring). For whoever
    sees the whole log: the answer names its positions and heads."""
    access.check_sees_whole_log("checking a report against the log")
    form, text = _read(path)
    claim = read_claim(text)
    if claim is None:
        stated = read_stamp(text)
        if stated is None:
            raise InvalidCommand(
                f"{path}: states no log position and head (not a recledger report?)"
            )
        return _head(ledger, *stated) or ReportCheck(
            "genuine",
            f"its head at position {stated[0]:,} is a state of this log (a report made before "
            "reports carried their claim: its content cannot be made again)",
        )
    stated = _stated(ledger, claim)
    if stated is None:
        return ReportCheck(
            "altered",
            "its withheld position and head (it was made for a token limited to plans) were "
            "not sealed by this ledger's key",
        )
    position, head = stated
    found = _head(ledger, position, head)
    if found is not None:
        return found
    mine = draft(text, claim)
    remade = draft(report_text(_remake(ledger, claim, position), form), claim)
    digest_holds = content_digest(text, claim) == claim.content
    if remade == mine and digest_holds:
        return ReportCheck(
            "genuine",
            f"it is what the log said at position {position:,} (head {head.hex()[:16]}…), "
            "made again from the log and compared",
        )
    where = _first_difference(mine, remade, form) if remade != mine else "its claim's digest"
    digest = "" if digest_holds else "; its content no longer matches the digest it carries"
    return ReportCheck(
        "altered", f"it is not what the log said at position {position:,}: {where}{digest}"
    )


def _stated(ledger: Ledger, claim: Claim) -> tuple[int, bytes] | None:
    """The position and head a claim states: as written, or (withheld) as sealed."""
    if claim.position is not None and claim.head is not None:
        return claim.position, bytes.fromhex(claim.head)
    opened = ledger.signer.decrypt(claim.sealed or "") if ledger.signer else None
    try:
        size, root = (opened or b"").decode("ascii").split(" ")
        return int(size), bytes.fromhex(root)
    except ValueError:
        return None


def _read(path: Path) -> tuple[str, str]:
    """The report's format as its content shows (a workbook is a zip), and its text."""
    try:
        data = path.read_bytes()
        form = "xlsx" if zipfile.is_zipfile(path) else "text"
        return form, report_text(data, form)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise InvalidCommand(f"{path}: cannot read it as a report: {error}") from None


def _head(ledger: Ledger, position: int, head: bytes) -> ReportCheck | None:
    """None where the log holds ``head`` at ``position``; else which side changed."""
    root = integrity.root_at(ledger, position)
    if root == head:
        return None
    found = integrity.verify_log(ledger).divergence
    if found is not None:
        return ReportCheck(
            "log changed",
            f"the log no longer holds the head the report states at position {position:,}: "
            f"{found.change} at position {found.position:,}: {found.detail}",
        )
    if root is None:
        return ReportCheck(
            "altered",
            f"its stamp states position {position:,}, beyond the log's end; the log is intact: "
            "the stamp was changed",
        )
    return ReportCheck(
        "altered",
        f"its stamp states head {head.hex()[:16]}… at position {position:,}, but the log, "
        f"intact, had {root.hex()[:16]}… there: the stamp was changed",
    )


def _remake(ledger: Ledger, claim: Claim, position: int) -> bytes:
    """The report made again, as its claim says it was made, from the log up to
    ``position``: the plan's events copied into a ledger in memory, projected afresh."""
    from adapters.storage import bootstrap

    events = integrity.plan_log(ledger, claim.plan, position)
    if not events:
        raise InvalidCommand(f"the log held no plan {claim.plan!r} at position {position:,}")
    scratch = bootstrap(Settings(db="memory:", actor="verify"))
    try:
        stored = [
            StoredEvent(e.originator_id, e.originator_version, e.topic, e.state) for e in events
        ]
        scratch.recorder.insert_events(stored)
        scratch.project()
        stamp = claim.stamp()  # withheld or not, as the report had it
        if claim.kind == "plan":
            known = datetime.fromisoformat(claim.known_at) if claim.known_at else None
            as_at = date.fromisoformat(claim.as_at or "")
            plan = reports.plan_as_at(scratch, claim.plan, as_at, known, stamped=stamp)
            return render.plan_report(plan, claim.format)
        since, until = date.fromisoformat(claim.since or ""), date.fromisoformat(claim.until or "")
        board = reports.board_report(scratch, claim.plan, since, until, stamped=stamp)
        return render.board_report(board, claim.format)
    finally:
        scratch.close()


def _first_difference(text: str, remade: str, form: str) -> str:
    """Where the report first differs from the report made again: the line (a sheet's
    row, in a workbook) and the two texts there."""
    ours, theirs = text.splitlines(), remade.splitlines()
    sheet, row = "", 0
    for number, (mine, made) in enumerate(zip(ours, theirs, strict=False), start=1):
        if mine.startswith("## ") and form == "xlsx":
            sheet, row = mine[3:], 0
            continue
        row += 1
        if mine != made:
            at = next(
                i for i, (a, b) in enumerate(zip(mine + "\0", made + "\0", strict=False)) if a != b
            )
            place = f"sheet {sheet!r}, row {row}" if form == "xlsx" else f"line {number}"
            return (
                f"{place}: the report has {_around(mine, at)!r} where the log gives "
                f"{_around(made, at)!r}"
            )
    longer = "more" if len(ours) > len(theirs) else "fewer"
    return f"the report has {longer} lines ({len(ours):,}) than the log gives ({len(theirs):,})"


def _around(line: str, at: int, width: int = 30) -> str:
    start = max(0, at - width)
    return (
        ("…" if start else "") + line[start : at + width] + ("…" if at + width < len(line) else "")
    )
