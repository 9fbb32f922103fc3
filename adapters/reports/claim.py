"""What a report says of itself, so that ``verify --report`` can make it again from the log.

Every report carries, beside its human stamp line ("recledger log position 68, head
…"), one claim: ``recledger-report/1:`` and base64url of a JSON object naming the report
(plan or board), its plan, its dates, its format, when and by whom it was made, the log's
position and head it was made at, and the SHA-256 of its content. The content digest is
taken over the report as rendered with a claim whose digest is all zeros, so a reader
recomputes it by putting the zeros back (``content_digest``). Base64url, because every
format (HTML, Markdown, CSV, text, a spreadsheet cell) carries it unescaped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, time
from typing import Any, Literal

from openpyxl import load_workbook

from service.reports import BoardReport, PlanAsAt, Stamp

PREFIX = "recledger-report/1:"
_CLAIM = re.compile(re.escape(PREFIX) + r"([A-Za-z0-9_-]+={0,2})")
ZERO = "0" * 64


@dataclass(frozen=True)
class Claim:
    kind: Literal["plan", "board"]
    plan: str
    format: str
    generated_at: str
    by: str
    position: int | None
    head: str | None
    """None where withheld (a token limited to plans): ``sealed`` holds them then."""
    sealed: str | None = None
    as_at: str | None = None
    known_at: str | None = None
    since: str | None = None
    until: str | None = None
    content: str = ZERO

    @classmethod
    def of(cls, report: PlanAsAt | BoardReport, form: str) -> Claim:
        s = report.stamp
        common: dict[str, Any] = {
            "plan": report.plan.plan_id,
            "format": form,
            "generated_at": s.generated_at.isoformat(),
            "by": s.generated_by,
            "position": s.position,
            "head": s.head.hex() if s.head is not None else None,
            "sealed": s.sealed or None,
        }
        if isinstance(report, PlanAsAt):
            known = report.known_at.isoformat() if report.known_at else None
            return cls("plan", as_at=report.as_at.isoformat(), known_at=known, **common)
        since, until = report.since.isoformat(), report.until.isoformat()
        return cls("board", since=since, until=until, **common)

    def line(self, content: str | None = None) -> str:
        """The claim as the report writes it (with ``content`` as its digest, if given)."""
        data = asdict(replace(self, content=content or self.content))
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return PREFIX + base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")

    def stamp(self) -> Stamp:
        """The stamp the report was made with: a report made again carries the same."""
        return Stamp(
            datetime.fromisoformat(self.generated_at),
            self.by,
            self.position,
            bytes.fromhex(self.head) if self.head is not None else None,
            self.sealed or "",
        )


def read_claim(text: str) -> Claim | None:
    """The claim a report's text carries; None if it carries none (or not one that reads)."""
    found = _CLAIM.search(text)
    if found is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(found.group(1)))
        claim = Claim(**data)
        bytes.fromhex(claim.head or "")
        bytes.fromhex(claim.content)
    except (ValueError, TypeError, binascii.Error):
        return None
    return claim


def draft(text: str, claim: Claim) -> str:
    """A report's text with every claim in it put back to ``claim`` with a zero digest:
    the text its digest covers, and the text two makings of a report share."""
    return _CLAIM.sub(claim.line(ZERO), text)


def content_digest(text: str, claim: Claim) -> str:
    """The digest of a report's text (its claim's own digest put back to zeros)."""
    return hashlib.sha256(draft(text, claim).encode("utf-8")).hexdigest()


def report_text(data: bytes, form: str) -> str:
    """A report file as the text its digest covers: the file itself, or for a workbook,
    each sheet's name and its rows' cells, tab-separated, a line each (``_cell_text``)."""
    if form != "xlsx":
        return data.decode("utf-8")
    book = load_workbook(io.BytesIO(data), read_only=True)
    lines: list[str] = []
    for sheet in book.worksheets:
        lines.append(f"## {sheet.title}")
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join(_cell_text(value) for value in row))
    book.close()
    return "\n".join(lines) + "\n"


def _cell_text(value: object) -> str:
    """A cell as the digest reads it: text and numbers as written; a date cell in ISO 8601,
    as the other formats write it (a day alone where it has no time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time.min else value.isoformat(" ")
    return str(value)
