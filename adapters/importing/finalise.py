"""Raw recommendations -> parsed ones: cells read, quirks repaired, every repair warned."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from adapters.importing.assemble import ActionRow, RawRecommendation
from adapters.importing.cells import continues_sentence, looks_like_prose, sub_action_items
from adapters.importing.columns import (
    ACTION,
    AGENCY,
    LEADS,
    RAG,
    RECOMMENDATION,
    STATUS,
    TARGET,
    THEME,
    UPDATES,
)
from adapters.importing.html_text import html_to_lines, html_to_text, is_list_item
from adapters.importing.leads import ActionUpdate, action_updates, leads_in, read_lead_cell
from adapters.importing.model import (
    ParsedRecommendation,
    ParsedSubAction,
    ParsedUpdate,
    ParseWarning,
)
from adapters.importing.updates import Segment, split_updates

Warn = Callable[[int, str], None]


@dataclass
class _Update:
    text: str
    date_text: str | None
    line: int


@dataclass
class _Draft:
    raw: RawRecommendation
    text: str
    agency: str
    leads: list[str]
    target: str
    sub_actions: list[ParsedSubAction]
    updates: list[_Update]
    rag: str | None
    status: str | None


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _column(raw: RawRecommendation, role: str) -> str:
    return raw.column_names.get(role, role)


def _agency(raw: RawRecommendation, warn: Warn) -> tuple[str, list[str]]:
    """The agency named in the cell (or the section heading) and any actions listed there."""
    names: list[str] = []
    actions: list[str] = []
    for _, text in raw.cells[AGENCY].paragraphs(raw.line):
        (actions if is_list_item(text) or looks_like_prose(text) else names).append(text)
    names = list(dict.fromkeys(names))  # a row per action repeats the agency
    section, column = raw.section, _column(raw, AGENCY)
    if section.key != "overview":
        if not names or "; ".join(names).casefold() == section.heading.casefold():
            return section.agency, actions
        warn(
            raw.line,
            f"{raw.label}: '{column}' cell names {'; '.join(names)!r}, "
            f"not the section's agency {section.heading!r}; kept the cell's",
        )
    elif not names and AGENCY in raw.column_names:
        what = "holds only actions, no agency" if actions else "is blank"
        warn(raw.line, f"{raw.label}: '{column}' cell {what}")
    return "; ".join(names), actions


def _leads(raw: RawRecommendation, warn: Warn) -> tuple[list[list[str]], list[ActionUpdate]]:
    """Lead entries (one list per entry) and the updates its action text makes (see
    ``leads`` for the rules)."""
    column = _column(raw, LEADS)
    cell = read_lead_cell(raw.cells[LEADS].paragraphs(raw.line))
    groups = [leads for _, leads in cell.entries]
    for line, place, lead in cell.placed:
        warn(
            line,
            f"{raw.label}: '{column}' line {place!r} names a place, no person or post; "
            f"read with {lead!r} as one lead",
        )
    reported: set[str] = set()
    for line, entry, split in cell.run_together:
        if entry not in reported:
            reported.add(entry)
            several = " | ".join(split)
            warn(line, f"{raw.label}: '{column}' entry {entry!r} read as several leads: {several}")
    updates = action_updates(cell.action)
    if updates:
        none = "" if groups else " (no lead named)"
        first = updates[0]
        kept = "one update" if len(updates) == 1 else f"{len(updates)} updates"
        dated = f", dated {first.date_text}" if len(updates) == 1 and first.date_text else ""
        restated = [text for update in updates for text in update.restated]
        dating = (
            "; repeating it, so only dating it: " + ", ".join(repr(t) for t in restated)
            if restated
            else ""
        )
        warn(
            cell.action[0][0],
            f"{raw.label}: '{column}' cell looks like action text, "
            f"kept as {kept}{dated}{none}: {_excerpt(first.text)!r}{dating}",
        )
    elif not groups and LEADS in raw.column_names:
        warn(raw.line, f"{raw.label}: '{column}' cell is blank")
    return groups, updates


def _targets(raw: RawRecommendation, warn: Warn) -> list[str]:
    column = _column(raw, TARGET)
    paragraphs = raw.cells[TARGET].paragraphs(raw.line)
    if not paragraphs and TARGET in raw.column_names:
        warn(raw.line, f"{raw.label}: '{column}' cell is blank")
    for line, text in paragraphs:
        if looks_like_prose(text, dates=False):
            warn(
                line,
                f"{raw.label}: '{column}' cell holds narrative rather than a date; "
                f"kept verbatim as the target: {_excerpt(text)!r}",
            )
    return [text for _, text in paragraphs]


def _pair_note(raw: RawRecommendation, role: str, count: int, entries: list[str]) -> str:
    head = f"{raw.label}: {count} sub-actions but {len(entries)} '{_column(raw, role)}' entries;"
    if len(entries) > count:
        extra = ", ".join(repr(entry) for entry in entries[count:])
        return f"{head} paired by position, unpaired entries kept on the recommendation: {extra}"
    missing = ", ".join(str(n) for n in range(len(entries) + 1, count + 1))
    return f"{head} paired by position, sub-action(s) {missing} left without one"


def _sub_actions(
    raw: RawRecommendation,
    actions: list[str],
    groups: list[list[str]],
    targets: list[str],
    warn: Warn,
) -> tuple[list[ParsedSubAction], bool]:
    """Pair numbered actions with leads/targets listed in parallel, by position."""
    items = sub_action_items(actions)
    pair_leads = len(items) >= 2 and len(groups) >= 2
    pair_targets = len(items) >= 2 and len(targets) >= 2
    result = []
    for index, (number, text) in enumerate(items):
        leads = tuple(groups[index]) if pair_leads and index < len(groups) else ()
        target = targets[index] if pair_targets and index < len(targets) else ""
        result.append(ParsedSubAction(text, leads, target, number=str(number)))
    if pair_leads and len(groups) != len(items):
        entries = [" / ".join(group) for group in groups]
        warn(raw.line, _pair_note(raw, LEADS, len(items), entries))
    if pair_targets and len(targets) != len(items):
        warn(raw.line, _pair_note(raw, TARGET, len(items), targets))
    return result, pair_targets


def _move_tail(
    raw: RawRecommendation, segments: list[Segment], previous: _Draft | None, warn: Warn
) -> list[Segment]:
    """Text opening this summary that finishes the previous recommendation's last update."""
    if not segments or segments[0].date_text is not None or previous is None:
        return segments
    if not previous.updates:
        return segments
    first, last = segments[0], previous.updates[-1]
    if not continues_sentence(last.text, first.text):
        return segments
    if not (first.text[:1].islower() or len(segments) > 1):
        return segments
    tail = first.text
    if len(segments) == 1:
        sentence = re.match(r"^.*?[.!?](?=\s|$)", first.text, re.DOTALL)
        tail = sentence.group(0) if sentence else first.text
    last.text = f"{last.text} {tail}"
    line = raw.cells[UPDATES].line_at(first.offset, raw.line)
    warn(
        line,
        f"{raw.label}: text {_excerpt(tail)!r} opening the '{_column(raw, UPDATES)}' "
        f"cell continues {previous.raw.label}'s last update; moved back to it",
    )
    rest = first.text[len(tail) :].strip()
    kept = [Segment(rest, None, first.offset + len(tail))] if rest else []
    return kept + segments[1:]


def _updates(
    raw: RawRecommendation, moved: list[ActionUpdate], previous: _Draft | None, warn: Warn
) -> list[_Update]:
    """The lead cell's action text first (it sits left of the summary), then the
    summary's updates."""
    updates = [_Update(update.text, update.date_text, update.line) for update in moved]
    cell = raw.cells[UPDATES]
    segments = _move_tail(raw, split_updates(cell.text), previous, warn)
    updates += [_Update(s.text, s.date_text, cell.line_at(s.offset, raw.line)) for s in segments]
    return updates


def _draft(raw: RawRecommendation, previous: _Draft | None, warn: Warn) -> _Draft:
    text = "\n".join(t for _, t in raw.cells[RECOMMENDATION].paragraphs(raw.line))
    if not text:
        warn(raw.line, f"{raw.label}: recommendation text is blank")
    agency, actions = _agency(raw, warn)
    if len(_rows_with(raw, ACTION)) < 2:
        actions += _actions(raw)
    groups, moved = _leads(raw, warn)
    targets = _targets(raw, warn)
    by_row = _actions_by_row(raw)
    if raw.actions:
        sub_actions, parallel = [_action_row(raw, row, warn) for row in raw.actions], False
    elif by_row and not actions:
        sub_actions, parallel = by_row, True
        targets = list(dict.fromkeys(action.target for action in by_row if action.target))
    else:
        sub_actions, parallel = _sub_actions(raw, actions, groups, targets, warn)
    leads = list(dict.fromkeys(lead for group in groups for lead in group))
    updates = _updates(raw, moved, previous, warn)
    rag = _one_line(raw, RAG)
    status = _one_line(raw, STATUS)
    if status is not None and _RAG_COLOUR.match(status):  # a "Status" column of colours
        rag, status = rag or status, None
    if raw.cut_off_line is not None:
        warn(raw.cut_off_line, f"{raw.label}: row cut off at end of file; kept what is there")
    target = ("; " if parallel else " ").join(targets)
    return _Draft(raw, text, agency, leads, target, sub_actions, updates, rag, status)


_RAG_COLOUR = re.compile(r"^(?:red|amber|green|blue|r|a|g|b)(?:\s*/\s*\w+)?$", re.IGNORECASE)


def _one_line(raw: RawRecommendation, role: str) -> str | None:
    return " ".join(raw.cells[role].text.split()) or None


def _rows_with(raw: RawRecommendation, role: str) -> list[dict[str, str]]:
    return [row for row in raw.rows if html_to_text(row.get(role, "")).strip()]


def _actions_by_row(raw: RawRecommendation) -> list[ParsedSubAction]:
    """A table with a row per action: each row's action, with that row's leads and target."""
    rows = _rows_with(raw, ACTION)
    if len(rows) < 2:
        return []

    def text(row: dict[str, str], role: str) -> str:
        return " ".join(html_to_text(row.get(role, "")).split())

    return [
        ParsedSubAction(
            text(row, ACTION),
            leads_in(html_to_lines(row.get(LEADS, ""))),
            text(row, TARGET),
            number=str(number),
        )
        for number, row in enumerate(rows, start=1)
    ]


def _action_row(raw: RawRecommendation, row: ActionRow, warn: Warn) -> ParsedSubAction:
    """An action with a row of its own ("Action 3.2: ..."): its cells are its own."""
    if not row.text:
        warn(row.line, f"{raw.label}: action {row.number} has no text")

    def lines(role: str) -> list[str]:
        return html_to_lines(row.cells.get(role, ""))

    summary = "\n".join(lines(UPDATES))
    return ParsedSubAction(
        number=row.number,
        text=row.text,
        leads=leads_in(lines(LEADS)),
        target=" ".join(lines(TARGET)),
        updates=tuple(
            ParsedUpdate(segment.text, segment.date_text, row.line)
            for segment in split_updates(summary)
        ),
        status=" ".join(lines(STATUS)) or None,
        line=row.line,
    )


def _actions(raw: RawRecommendation) -> list[str]:
    """The action column's text: a listed item per action, else the whole cell as one."""
    paragraphs = [text for _, text in raw.cells[ACTION].paragraphs(raw.line)]
    if any(is_list_item(text) or re.match(r"\d{1,2}[.)]\s", text) for text in paragraphs):
        return paragraphs
    return [" ".join(paragraphs)] if paragraphs else []


def _freeze(draft: _Draft, ref: str) -> ParsedRecommendation:
    raw = draft.raw
    return ParsedRecommendation(
        section=raw.section.key,
        ref=ref,
        number=int(re.sub(r"\D.*", "", raw.number_text)),
        number_text=raw.number_text,
        text=draft.text,
        agency=draft.agency,
        leads=tuple(draft.leads),
        target=draft.target,
        sub_actions=tuple(draft.sub_actions),
        updates=tuple(ParsedUpdate(u.text, u.date_text, u.line) for u in draft.updates),
        line=raw.line,
        rag=draft.rag,
        status=draft.status,
        theme=" ".join(html_to_text(raw.rows[0].get(THEME, "")).split()) or raw.theme,
    )


def finalise(
    raws: list[RawRecommendation], warnings: list[ParseWarning]
) -> list[ParsedRecommendation]:
    """Read every raw recommendation in document order; warnings are appended to ``warnings``."""

    def warn(line: int, message: str) -> None:
        warnings.append(ParseWarning(line, message))

    drafts: list[_Draft] = []
    previous: dict[str, _Draft] = {}
    for raw in raws:
        draft = _draft(raw, previous.get(raw.section.key), warn)
        previous[raw.section.key] = draft
        drafts.append(draft)
    seen: dict[str, int] = {}
    parsed = []
    for draft in drafts:
        base = f"{draft.raw.section.key}/{draft.raw.number_text}"
        seen[base] = count = seen.get(base, 0) + 1
        ref = base if count == 1 else f"{base}#{count}"
        if count > 1:
            warn(draft.raw.line, f"{draft.raw.label}: duplicate ref {base!r}; kept as {ref!r}")
        parsed.append(_freeze(draft, ref))
    return parsed
