"""Reading an Implementation Lead cell: who leads, and what in it is no lead at all.

The rules, written once (a *line* is a paragraph, list item or line of the cell):

1. **Continued lines.** A line opening with a lower-case word or "(" carries on the line
   before it (a post wrapped onto a second line: "Head of Safeguarding" / "(Adults)").
2. **Action text.** A line that reads as a sentence is no lead: it has a dated header
   ("Action completed 1st April 2013", "Update Feb 2014:"), or it has six words or more,
   at least half of them lower-case, and a verb (an auxiliary or modal: "is", "will",
   "should", "has"...; or a lower-case past tense: "completed", "incorporated"), or it
   runs to fifteen words or more, at least half lower-case (longer than any post).
   "Chair of the local safeguarding adults board" has no verb: a post, kept as a lead.
   The cell's action text makes one update per statement: cut at its dated headers as a
   summary is, but a piece that only restates an earlier one (what it says, less an opening
   "Action completed 1st April 2013", is all in that one; or it is only such a date) makes
   no update of its own: it dates the statement it restates, if undated, and is reported
   as written. So the seed's overview/8, one statement pasted twice and dated twice, is
   one update dated 1st April 2013 (and an update never holds a dated header inside it,
   which an export would read back as another update).
3. **A post at a place.** A line naming only a place or organisation (a hospital, unit,
   department, service, trust...) with no person and no post in it says where the lead
   on the next line works: the two are one lead, "MIU Worcestershire Royal Hospital" /
   "Rose Johnson (Clinical Director A&E)". Last in the cell it joins the line before; alone,
   it is the lead.
4. **Several people.** Otherwise each line names its own leads. Within a line ";" and "/"
   separate leads ("DCI Smith / DS Jones"), never inside brackets ("Matron A&E (Riverton /
   Hill)"); "and", "&" and "," separate them only where what follows names another person:
   a name ("Jane Doe and John Smith") or a rank or title and a name ("DCI Smith & DS
   Jones"), not an organisation ("West Mercia Police"). What follows that is a post, a place
   or an organisation belongs to the lead before it: "Jane Doe, Designated Nurse" is one
   lead, and so is "Head of Safeguarding (Adults) and Named Nurse" (one joint post: no
   name follows "and").
5. **Run together.** A second name written straight after someone's post ("Ann Cole
   Designated Nurse Ben Ode Named Doctor") starts a second lead.

Rules 3 and 5 change the shape of the text, so the caller reports each use of them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from adapters.importing.cells import lower_case_share
from adapters.importing.updates import DATE, has_date_header, normalise_date, split_updates

# Words that make up posts, ranks and organisations, never personal names.
_POST_WORDS = frozenset(
    """
    named general practitioner safeguarding designated nurse manager senior director officer
    lead leader head matron coordinator co-ordinator executive clinical service services estate
    neighbourhood strategic det supt ch chief superintendent inspector insp sergeant sgt
    constable pc dc ds di dci dr mr mrs ms miss cllr local policing quality patient safety
    justice department emergency team consultant midwife specialist advisor adviser
    commissioner commissioners commissioning partnership board chair deputy assistant
    principal project programme development operations operational adult adults children child
    social care health public mental domestic abuse violence protection county council royal
    hospital university city district trust unit group housing police community all agency
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_TITLES = frozenset(
    """
    dr mr mrs ms miss mx prof cllr rev sister matron det dci di ds dc pc sgt insp supt ch
    chief superintendent inspector sergeant constable detective acting
    """.split()  # noqa: SIM905
)
"""Ranks and titles written before a name: "DS Jones", "Ch Supt McNevin", "Dr Amy Fox"."""
_ROLES = _TITLES | frozenset(
    """
    practitioner nurse nurses manager managers director directors officer officers lead leads
    leader head matron coordinator co-ordinator executive consultant midwife specialist
    advisor adviser commissioner commissioners chair chairman chairperson deputy assistant
    principal gp gps doctor worker clinician secretary administrator analyst governor
    therapist psychiatrist psychologist named designated senior idva idvas
    """.split()  # noqa: SIM905
)
"""Words that make a post: a line with one of them names a post, not only a place."""
_PLACES = frozenset(
    """
    hospital hospitals unit units ward wards department dept centre center clinic practice
    practices surgery trust council police service services team teams group partnership
    board aid housing homes association authority authorities probation ccg nhs miu school
    schools college university hub office station site agency care health hospice refuge
    prison court directorate foundation organisation organization charity
    """.split()  # noqa: SIM905
)
"""Words that make a place or an organisation: a hospital, a unit, a service, a trust."""
_VERBS = frozenset(
    """
    is are was were be been being will would shall should must can could may might has have
    had does did
    """.split()  # noqa: SIM905
)
_NOT_VERBS = frozenset(
    """
    named designated registered integrated qualified specialised specialized based related
    nominated appointed dedicated
    """.split()  # noqa: SIM905
)
"""Lower-case words ending "-ed" that posts use as adjectives ("named nurse")."""
_NAME_WORD = re.compile(r"^[A-Z][A-Za-z'\u2019-]*[a-z][A-Za-z'\u2019-]*$")
_RESTATED_DATE = re.compile(
    rf"^\s*(?:(?:actions?\s+(?:completed|taken|implemented|closed)|completed|implemented)"
    rf"\s+(?:(?:on|in)\s+)?)?{DATE}[ \t]*[.:,;\u2013\u2014-]?",
    re.IGNORECASE,
)
"""The date opening a restatement: "Action completed 1 st April 2013 [directing them...]"."""
_HARD = re.compile(r"[;/]")
_SOFT = re.compile(r"\s*,\s*|\s+(?:and|&)\s+")


@dataclass
class LeadCell:
    """What a lead cell says: its leads, entry by entry, and what is not a lead."""

    entries: list[tuple[int, list[str]]] = field(default_factory=list)
    """(source line, leads) for each entry (a line, or a place line and the next)."""
    action: list[tuple[int, str]] = field(default_factory=list)
    """Lines that are action text, in order (rule 2)."""
    placed: list[tuple[int, str, str]] = field(default_factory=list)
    """(source line, place, lead) where a place line was read with a lead's (rule 3)."""
    run_together: list[tuple[int, str, list[str]]] = field(default_factory=list)
    """(source line, text, leads) where names run together were split (rule 5)."""


def read_lead_cell(lines: list[tuple[int, str]]) -> LeadCell:
    """Read the lines of a lead cell, as (source line, text), by the module's rules."""
    cell = LeadCell()
    named: list[tuple[int, str]] = []
    for line, text in _continued(lines):
        (cell.action if is_action_text(text) else named).append((line, text))
    for line, text in _placed(named, cell):
        leads: list[str] = []
        for piece in split_lead_line(text):
            split = [_clean(part) for part in _split_run_together(piece)]
            if len(split) > 1:
                cell.run_together.append((line, piece, split))
            leads.extend(split)
        cell.entries.append((line, [lead for lead in leads if lead]))
    return cell


def leads_in(lines: list[str]) -> tuple[str, ...]:
    """Every lead a lead cell's lines name, in order, by the same rules; action text, where
    nothing else is there to take it, is kept as written."""
    cell = read_lead_cell([(0, text) for text in lines if text.strip()])
    found = [lead for _, leads in cell.entries for lead in leads]
    return tuple(dict.fromkeys(found + [text for _, text in cell.action]))


@dataclass
class ActionUpdate:
    """An update a lead cell's action text makes, and the statements that only restate it."""

    text: str
    date_text: str | None
    line: int
    restated: list[str] = field(default_factory=list)


def action_updates(action: list[tuple[int, str]]) -> list[ActionUpdate]:
    """Rule 2's updates: the action lines cut at their dated headers, as a summary is; a
    piece that restates an update before it is folded into it (dating it, if undated)."""
    updates: list[ActionUpdate] = []
    for line, text in action:
        for segment in split_updates(text):
            said = _gist(_RESTATED_DATE.sub("", segment.text, count=1))
            if not said:  # only a date: it dates the statement before it
                restates = updates[-1:]
            else:
                restates = [u for u in updates if f" {said} " in f" {_gist(u.text)} "]
            if not restates:
                updates.append(
                    ActionUpdate(segment.text or segment.date_text or "", segment.date_text, line)
                )
                continue
            restates[-1].date_text = restates[-1].date_text or segment.date_text
            restates[-1].restated.append(_as_written(segment.text, segment.date_text))
    return [update for update in updates if update.text]


def _gist(text: str) -> str:
    """Lower-case words and numbers only: what a statement says, however punctuated."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _as_written(text: str, date_text: str | None) -> str:
    if date_text is None or date_text in normalise_date(text):
        return text
    return f"{date_text}: {text}"


def is_action_text(text: str) -> bool:
    """Rule 2: does this line of a lead cell read as a sentence rather than a lead?"""
    if has_date_header(text):
        return True
    words = [w.strip("()[],.;:'\"\u2018\u2019\u201c\u201d") for w in text.split()]
    words = [w for w in words if w[:1].isalpha()]
    if len(words) < 6 or lower_case_share(text) < 0.5:
        return False
    return len(words) >= 15 or any(_is_verb(word) for word in words)


def _is_verb(word: str) -> bool:
    if word in _VERBS:
        return True
    return word.islower() and word.endswith("ed") and len(word) > 4 and word not in _NOT_VERBS


def split_lead_line(text: str) -> list[str]:
    """Rule 4: the leads one line names (before rule 5 and cleaning)."""
    leads: list[str] = []
    for chunk in _cut(text, _HARD):
        pieces = _cut(chunk, _SOFT, keep=True)
        merged = [pieces[0]]
        for index in range(1, len(pieces), 2):
            separator, piece = pieces[index], pieces[index + 1]
            if names_person(piece):
                merged.append(piece)
            else:
                merged[-1] = f"{merged[-1]}{separator}{piece}"
        leads.extend(piece for piece in merged if piece.strip())
    return leads


def _cut(text: str, separators: re.Pattern[str], *, keep: bool = False) -> list[str]:
    """``text`` cut at each separator outside brackets; with ``keep``, the separators are
    kept, between the pieces (piece, separator, piece, ...)."""
    depth, outside = 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        outside.append(depth == 0 and char not in "()[]")
    pieces: list[str] = []
    start = 0
    for match in separators.finditer(text):
        if not all(outside[match.start() : match.end()]):
            continue
        pieces.append(text[start : match.start()])
        if keep:
            pieces.append(match.group(0))
        start = match.end()
    pieces.append(text[start:])
    if keep:
        return pieces
    return [piece for piece in pieces if piece.strip()]


def _continued(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Rule 1: a line opening with a lower-case word or "(" joins the line before."""
    joined: list[tuple[int, str]] = []
    for line, text in lines:
        text = text.strip()
        if joined and (text[:1].islower() or text[:1] == "("):
            joined[-1] = (joined[-1][0], f"{joined[-1][1]} {text}")
        elif text:
            joined.append((line, text))
    return joined


def _placed(lines: list[tuple[int, str]], cell: LeadCell) -> list[tuple[int, str]]:
    """Rule 3: a line naming only a place is read with the lead after it (or, last, before)."""
    result: list[tuple[int, str]] = []
    waiting: tuple[int, str] | None = None
    for line, text in lines:
        if waiting is not None:
            cell.placed.append((waiting[0], waiting[1], text))
            result.append((waiting[0], f"{waiting[1]} {text}"))
            waiting = None
        elif names_only_a_place(text) and len(lines) > 1:
            waiting = (line, text)
        else:
            result.append((line, text))
    if waiting is not None:
        if result:
            line, text = result.pop()
            cell.placed.append((waiting[0], waiting[1], text))
            result.append((line, f"{text} {waiting[1]}"))
        else:
            result.append(waiting)
    return result


def names_only_a_place(text: str) -> bool:
    """A hospital, unit, service or organisation, with no person and no post in it."""
    if not names_a_place(text) or names_a_post(text):
        return False
    every = text.split()
    return not any(names_person(" ".join(every[index:])) for index in range(len(every)))


def names_a_place(text: str) -> bool:
    """Has a word that makes a place or an organisation ("Hospital", "Police", "Trust")."""
    return any(word.strip("(),.;:").lower() in _PLACES for word in text.split())


def names_a_post(text: str) -> bool:
    """Has a word that makes a post, a rank or a title ("Nurse", "Head", "DCI")."""
    return any(word.strip("(),.;:").lower() in _ROLES for word in text.split())


def _is_name(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) and word.lower() not in _POST_WORDS


def _is_post(word: str) -> bool:
    return word.strip("(),.").lower() in _POST_WORDS


def _is_title(word: str) -> bool:
    return word.strip("(),.").lower() in _TITLES


def _starts_with_person(words: list[str]) -> bool:
    """A name and a surname ("Jane Doe"), or ranks or titles and a name ("DS Jones", "Ch
    Supt McNevin", "Dr Amy Fox")."""
    if len(words) >= 2 and _is_name(words[0]) and _is_name(words[1]):
        return True
    titles = list(itertools.takewhile(_is_title, words))
    return bool(titles) and len(words) > len(titles) and _is_name(words[len(titles)])


def _names_organisation(words: list[str]) -> bool:
    """Capitalised words up to a place or organisation word, and no post: "West Mercia
    Police" (but "Lee Grant Housing Options Manager" is a person and a post)."""
    if names_a_post(" ".join(words)):
        return False
    for index, word in enumerate(words):
        if word.strip("(),.").lower() in _PLACES:
            return index > 0
        if not word[:1].isupper():
            return False
    return False


def names_person(text: str) -> bool:
    """Does ``text`` open with a person ("John Smith", "DS Jones"), not an organisation?"""
    words = text.split()
    return _starts_with_person(words) and not _names_organisation(words)


def _split_run_together(text: str) -> list[str]:
    """Rule 5: cut where a second "Firstname Lastname" starts right after someone's post."""
    words = text.split()
    if not _starts_with_person(words):
        return [text]
    cuts = []
    for i in range(3, len(words) - 1):
        after = words[i + 2] if i + 2 < len(words) else None
        if (
            _is_post(words[i - 1])
            and _is_name(words[i])
            and _is_name(words[i + 1])
            and (after is None or _is_post(after))
        ):
            cuts.append(i)
    bounds = [0, *cuts, len(words)]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t,\u2013\u2014-").rstrip(".").strip()
