"""Splitting a "Summary of Action Taken & Date" narrative into dated updates.

The document uses several kinds of date header, found by reading it:

* "Update Feb 2014:", "Update Feb 2014 -", "Update August 2013 -" (hyphen or en dash;
  anywhere, even mid-line)
* a bare "August 2013." / "August 2013 " opening a line or a sentence
* "Action completed 1st April 2013 ...", "Action taken 1 st April 2013 and ..." (the
  date is part of the sentence, so the sentence is kept whole)
* UK numeric dates in any of those places: "26.11.2018", "5.8.19", "05/08/2019"
* "(May 2013)" closing the clause it dates ("New case management now installed, (May 2013)")

Text before the first header is an undated update (someone else infers its date), but
``done_dates`` reads the dates a sentence states as when something was done, which can
date it ("Guidance circulated 26.11.2018").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
    r"|Spring|Summer|Autumn|Winter)"
)
_DAY = r"(?:\d{1,2}\s?(?:st|nd|rd|th)?\s+)"
_NUMERIC = r"\b\d{1,2}(?:/\d{1,2}/|\.\d{1,2}\.)(?:\d{4}|\d{2})\b"
"""UK day-first: 05/08/2019, 31/03/19, 26.11.2018, 5.8.19."""
DATE = rf"(?:\b{_DAY}?{_MONTH}\.?,?\s+(?:19|20)\d{{2}}\b|{_NUMERIC})"

_WRITTEN = (
    rf"(?:(?:no later than\s+)?(?:{DATE}|\d{{4}}-\d{{2}}(?:-\d{{2}})?\b"
    r"|\bQ[1-4]\s+\d{4}(?:/\d{2})?\b|\b\d{4}/\d{2}\b|\b[A-Z][a-z]{2}-\d{2}\b"
    r"|\b(?:19|20)\d{2}\b(?=[ \t]*[:\u2013\u2014-])))"
)
"""After the word "Update", any date a plan writes: also ISO, quarters ("Q3 2019/20"), UK
financial years ("2019/20"), Excel's "Mar-19", a year followed by a colon or dash, and the
ledger's own inferred dates ("no later than August 2013")."""

_UPDATE = re.compile(
    rf"\b(?:Update|UPDATE|Updated)\s*[:\u2013\u2014-]?\s*"
    rf"(?:(?:on|as at|at|for)\s+)?(?P<date>{_WRITTEN})"
    r"[ \t]*[:.,;\u2013\u2014-]*[ \t]*"
)
_BARE = re.compile(rf"(?P<date>{DATE})[ \t]*[.:\u2013\u2014-]?[ \t]*(?=[A-Z(\"'\u2018\u201c]|\n|$)")
_SENTENCE = re.compile(
    rf"\b(?:Actions? (?:completed|taken|implemented|closed)|Completed|Implemented)"
    rf"\s+(?:(?:on|in)\s+)?(?P<date>{DATE})"
)
_PAREN = re.compile(rf"\((?P<date>{DATE})\)")


@dataclass(frozen=True)
class Segment:
    """One update: its text, the date as written (or None), offset of its start in the cell."""

    text: str
    date_text: str | None
    offset: int


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    kind: str  # "leading" (header removed), "sentence" (kept), "trailing" (closes a clause)
    date: str


def normalise_date(date_text: str) -> str:
    """Collapse spaces and the "1 st" split of extracted ordinals: "1 st April" -> "1st April"."""
    text = re.sub(r"\s+", " ", date_text).strip()
    return re.sub(r"\b(\d{1,2}) (st|nd|rd|th)\b", r"\1\2", text)


def _opens_sentence(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t")
    return not before or before[-1] in "\n.!?"


def _markers(text: str) -> list[_Marker]:
    found: list[_Marker] = []
    for m in _UPDATE.finditer(text):
        found.append(_Marker(m.start(), m.end(), "leading", m["date"]))
    for m in _BARE.finditer(text):
        if _opens_sentence(text, m.start()):
            found.append(_Marker(m.start(), m.end(), "leading", m["date"]))
    for m in _SENTENCE.finditer(text):
        if _opens_sentence(text, m.start()):
            found.append(_Marker(m.start(), m.start(), "sentence", m["date"]))
    for m in _PAREN.finditer(text):
        kind = "leading" if _opens_sentence(text, m.start()) else "trailing"
        found.append(_Marker(m.start(), m.end(), kind, m["date"]))
    found.sort(key=lambda marker: (marker.start, marker.kind != "leading"))
    kept: list[_Marker] = []
    for marker in found:
        if kept and marker.start < max(kept[-1].end, kept[-1].start + 1):
            continue
        kept.append(marker)
    return kept


def clean_update_text(text: str) -> str:
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line).strip(" \t\u2013\u2014-:;,")


def has_date_header(text: str) -> bool:
    return bool(_markers(text))


def split_updates(text: str) -> list[Segment]:
    """Cut ``text`` at each date header, in order; empty undated pieces are dropped."""
    segments: list[Segment] = []
    anchor = start = 0
    date: str | None = None

    def close(end: int) -> None:
        body = clean_update_text(text[start:end])
        if body or date is not None:
            piece = text[start:end]
            offset = anchor if date is not None else start + len(piece) - len(piece.lstrip())
            segments.append(Segment(body, normalise_date(date) if date else None, offset))

    for marker in _markers(text):
        if marker.kind == "trailing":
            if date is None:
                date = marker.date
                close(marker.end)
                anchor = start = marker.end
                date = None
            continue
        close(marker.start)
        anchor = marker.start
        start = marker.end if marker.kind == "leading" else marker.start
        date = marker.date
    close(len(text))
    return segments


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'\u2018\u201c])|\n+")
_CLAUSE_BREAK = re.compile(
    rf"[;:,()\u2013\u2014\u2026]|\.\.\.|\s-\s|\b(?:and|but|then|whilst|while)\b|{DATE}",
    re.IGNORECASE,
)
"""What ends a clause inside a sentence, for ``_states_done``; an earlier date too."""
_NOT_DONE = re.compile(
    r"\b(?:by|due|until|till|before|since|from|after|following|for|next|target(?:ed|s)?"
    r"|deadline|plan(?:s|ned)?|schedul(?:e|es|ed)|expect(?:s|ed)?|propos(?:e|es|ed)"
    r"|intend(?:s|ed)?|aim(?:s|ed)?|anticipated|estimated|projected|booked|arranged"
    r"|timetabled|diarised|programmed|required|needed|delayed|postponed|deferred|extended"
    r"|dated|will|shall|would|should|could|(?-i:may)|might|must|to\s+be|to\s+have"
    r"|going\s+to|not|yet|awaiting|once|if|when|unless)\b",
    re.IGNORECASE,
)
"""Words that make a date in their clause a target, a plan or a reference, not when the
thing was done: "by December 2014", "due 31/03/2020", "to be reviewed March 2019"."""
_PAST_VERB = re.compile(
    r"\b(?:[A-Za-z][A-Za-z-]*[a-z]ed|sent|held|given|done|begun|began|went|gone|made|taken"
    r"|took|written|built|met|undertaken|brought|put|set|run|ran)\b"
)
_NOT_A_VERB = frozenset({"need", "hundred", "embed", "indeed", "based"})
_WHEN = re.compile(r"\s*(?:(?:on|in|at|during|around|w/c|as\s+(?:of|at))\s+)?$", re.IGNORECASE)
_REFERENCE = re.compile(r"\b(?:the|this|that|these|those|a|an|its|their|our|of)\s*$", re.IGNORECASE)
_OPENING = re.compile(r"^\W*(?:in|on|during|as\s+(?:of|at))\s*$", re.IGNORECASE)


def done_dates(text: str) -> list[tuple[str, str]]:
    """(date as written, its sentence) for every date a sentence of ``text`` states as when
    something was done; the rule is ``_states_done``."""
    found: list[tuple[str, str]] = []
    for sentence in _SENTENCE_BREAK.split(text):
        for match in re.finditer(DATE, sentence):
            if _states_done(sentence, match.start(), match.end()):
                found.append((normalise_date(match.group()), sentence.strip()))
    return found


def _states_done(sentence: str, start: int, end: int) -> bool:
    """A date inside a sentence is when something was done when, in its clause (the text
    since the last ``;`` ``,`` ``:`` dash, bracket, ellipsis, "and", "but" or date), no
    ``_NOT_DONE`` word comes before it, it is not "the"/"of" a date ("the March 2013
    guidance"), and either

    * exactly one past verb comes before it in the clause, not counting the clause's first
      word when others follow ("Revised guidance circulated 26.11.2018"): "Training
      reviewed 05/08/2019", "re-issued March 2015 and completed June 2015" (two clauses),
      but not "reminded of the guidance issued in March 2013" (two verbs); or
    * it opens the sentence as its time ("In March 2015 the guidance was re-issued"), and
      the rest of the sentence, to its first "and", "but" or ``;``, has a past verb and no
      ``_NOT_DONE`` word."""
    before = sentence[:start]
    clause = _CLAUSE_BREAK.split(before)[-1]
    if _NOT_DONE.search(clause) or _REFERENCE.search(_WHEN.sub("", clause)):
        return False
    if _OPENING.match(before):
        rest = re.split(r";|\b(?:and|but)\b", sentence[end:], maxsplit=1)[0]
        return not _NOT_DONE.search(rest) and bool(_verbs(rest))
    verbs = _verbs(clause)
    if len(verbs) > 1 and clause.split()[0] == verbs[0]:
        verbs = verbs[1:]  # a participle used as an adjective
    return len(verbs) == 1


def _verbs(text: str) -> list[str]:
    return [w for w in _PAST_VERB.findall(text) if w.casefold() not in _NOT_A_VERB]
