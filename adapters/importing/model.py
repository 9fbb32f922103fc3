"""The parsed shape of an action plan: plain frozen values, no dates interpreted.

Everything here is text as written in the document (cleaned of markup). Turning
targets and update dates into calendar intervals is the job of ``domain.fuzzy_date``.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from service.documents import Action, Written


@dataclass(frozen=True)
class ParseWarning:
    """Something a person should review; ``line`` is 1-based in the input."""

    line: int
    message: str


@dataclass(frozen=True)
class ParsedSubAction(Action[str, "ParsedUpdate", str | None]):
    _: KW_ONLY
    number: str
    status: str | None = None
    line: int | None = None
    """Where it has a row of its own ("Action 3.2: ..."), the row's line; its number,
    updates and status are then its own."""


@dataclass(frozen=True)
class ParsedUpdate:
    text: str
    date_text: str | None
    line: int


@dataclass(frozen=True)
class ParsedRecommendation(Written[str, ParsedSubAction, ParsedUpdate, str | None]):
    """Its ``status``: the document's Status cell as written ("Complete", "In progress"),
    if it has one."""

    _: KW_ONLY
    section: str
    number: int
    number_text: str
    line: int
    rag: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class ParsedPlan:
    title: str
    partnership: str
    version_label: str
    version_date: str
    recommendations: tuple[ParsedRecommendation, ...]
    warnings: tuple[ParseWarning, ...]
    digest: str = ""
    """SHA-256 of the file's bytes: tells two versions with the same label apart."""
    encoding: str = ""
    """How the file's text was decoded (empty for a workbook)."""


class PlanParseError(ValueError):
    """The input cannot be read as an action plan at all; ``line`` is where (if known)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line is not None else message)
