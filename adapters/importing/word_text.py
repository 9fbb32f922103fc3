"""The text of a Word document's paragraphs and table cells, as the importer reads them.

A cell becomes the HTML fragment the text reader understands (``html_text``): each
paragraph a ``<p>``, each list item an ``<li>`` (its number as Word shows it, a bullet
dropped), a line break a ``<br>``; a cell of one plain paragraph is that paragraph's text.
So a cell reads as the same lines as in the seed's text extraction, and a continuation
that opens with a list is never glued onto the sentence before it.

Tracked changes are read as if accepted (inserted text kept, deleted text left out) and
reported, as are tables inside a cell (read as a line a row) and text boxes (not read).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from docx.oxml.ns import qn

Element = Any
"""An lxml element of the document (python-docx's oxml classes, untyped)."""

_INSERTED = (qn("w:ins"), qn("w:moveTo"))
_DELETED = (qn("w:del"), qn("w:moveFrom"))
_PROPERTIES = (qn("w:pPr"), qn("w:rPr"), qn("w:sdtPr"), qn("w:tcPr"), qn("w:trPr"))
_NOT_TEXT = (qn("w:instrText"), qn("w:delText"), qn("w:delInstrText"), qn("w:footnoteReference"))
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT_BOX = qn("w:txbxContent")
_WRAPPERS = (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag"))
_QUOTED = 120
"""Characters of changed or unread text quoted in a warning."""


def unwrapped(parent: Element) -> Iterator[Element]:
    """``parent``'s children, content controls and custom XML opened up."""
    for child in parent:
        if child.tag in _WRAPPERS:
            yield from unwrapped(child)
        elif child.tag != qn("w:sdtPr"):
            yield child


def _walk(element: Element, out: list[str], boxes: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _DELETED or tag in _NOT_TEXT or tag == _FALLBACK:
            continue
        if tag in _PROPERTIES:
            continue
        if tag == _TEXT_BOX:
            boxes.append(" ".join(paragraph_text(p) for p in child.iter(qn("w:p"))).strip())
        elif tag == qn("w:t"):
            out.append(child.text or "")
        elif tag in (qn("w:tab"), qn("w:ptab")):
            out.append(" ")
        elif tag in (qn("w:br"), qn("w:cr")):
            out.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            out.append("-")
        else:
            _walk(child, out, boxes)


def paragraph_text(paragraph: Element, boxes: list[str] | None = None) -> str:
    """The paragraph's text as if its tracked changes were accepted; a line break is
    ``\\n``. Text boxes in it are left out (their text added to ``boxes``)."""
    out: list[str] = []
    _walk(paragraph, out, [] if boxes is None else boxes)
    return "".join(out)


def _changed(element: Element, tags: tuple[str, ...], text_tag: str) -> list[str]:
    found = []
    for change in element.iter(*tags):
        if change.getparent().tag in _PROPERTIES:
            continue  # a paragraph mark or a row inserted or deleted: its text is in runs
        found.append("".join(t.text or "" for t in change.iter(text_tag)))
    return [text for text in found if text.strip()]


def quoted(texts: list[str]) -> str:
    joined = " / ".join(" ".join(text.split()) for text in texts)
    return repr(joined if len(joined) <= _QUOTED else joined[: _QUOTED - 1] + "\u2026")


def tracked_changes(element: Element) -> str | None:
    """What a warning says of the tracked changes in ``element``, if it has any."""
    inserted = _changed(element, _INSERTED, qn("w:t"))
    deleted = _changed(element, (qn("w:del"),), qn("w:delText"))
    deleted += _changed(element, (qn("w:moveFrom"),), qn("w:t"))
    if not inserted and not deleted:
        return None
    parts = [f"inserted {quoted(inserted)}"] if inserted else []
    parts += [f"deleted {quoted(deleted)}"] if deleted else []
    return (
        "tracked changes not accepted or rejected in the document, read as if accepted ("
        + "; ".join(parts)
        + "): accept or reject them in Word to be sure"
    )


class Lists:
    """Which paragraphs are list items, and the number Word shows for each: counted in
    document order per list (a list continues across cells until a "restart at" override),
    as the numbering and styles parts define them."""

    def __init__(self, numbering: Element | None, styles: Element | None) -> None:
        self._nums = _by(numbering, "w:num", "w:numId")
        self._abstracts = _by(numbering, "w:abstractNum", "w:abstractNumId")
        self._styles = _by(styles, "w:style", "w:styleId")
        self._counts: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()

    def label(self, paragraph: Element) -> str | None:
        """None for a paragraph that is no list item; else its number ("3.", "b)"), or ""
        for a bullet."""
        found = self._number_of(paragraph.find(qn("w:pPr")), 0)
        if found is None:
            return None
        num_id, level = found
        num = self._nums.get(num_id)
        if num is None:
            return None  # numId 0, or a list with no definition: Word shows no number
        abstract_id = _val(num.find(qn("w:abstractNumId"))) or ""
        abstract = self._abstracts.get(abstract_id)
        if abstract is None:
            return ""
        levels = {_level(lvl): lvl for lvl in abstract.iter(qn("w:lvl"))} | _overridden_levels(num)
        counts = self._counts.setdefault(abstract_id, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for override in num.iter(qn("w:lvlOverride")):
                start = _val(override.find(qn("w:startOverride")))
                if start is not None:
                    counts[_level(override)] = number(start, 1) - 1
        counts[level] = counts.get(level, _start(levels.get(level)) - 1) + 1
        for deeper in [key for key in counts if key > level]:
            del counts[deeper]
        return _render(levels, counts, level)

    def _number_of(self, properties: Element | None, depth: int) -> tuple[str, int] | None:
        """(numId, level) from a paragraph's (or a style's) own numbering, else its style's."""
        numbering = properties.find(qn("w:numPr")) if properties is not None else None
        if numbering is not None and numbering.find(qn("w:numId")) is not None:
            return _val(numbering.find(qn("w:numId"))) or "0", _level(numbering, "w:ilvl")
        style_id = _val(properties.find(qn("w:pStyle"))) if properties is not None else None
        return None if style_id is None else self._style_number(style_id, depth)

    def _style_number(self, style_id: str, depth: int) -> tuple[str, int] | None:
        """A paragraph style's numbering, or that of the style it is based on."""
        style = self._styles.get(style_id)
        if style is None or depth > 10:
            return None
        numbering = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if numbering is not None and numbering.find(qn("w:numId")) is not None:
            return _val(numbering.find(qn("w:numId"))) or "0", _level(numbering, "w:ilvl")
        based_on = _val(style.find(qn("w:basedOn")))
        return None if based_on is None else self._style_number(based_on, depth + 1)


def _by(part: Element | None, tag: str, key: str) -> dict[str, Element]:
    """The part's ``tag`` children by their ``key`` attribute (the first of each)."""
    found: dict[str, Element] = {}
    for child in [] if part is None else part.iterchildren(qn(tag)):
        found.setdefault(child.get(qn(key)) or "", child)
    return found


def _level(element: Element, tag: str | None = None) -> int:
    """A list level (0 to 8) an element gives, or its child ``tag`` does: 0 if none."""
    found = element.find(qn(tag)) if tag is not None else element
    value = _val(found, "val" if tag is not None else "ilvl")
    return min(number(value, 0), 8)


def number(value: str | None, default: int, most: int = 999_999) -> int:
    """A count an attribute gives (a list's start, a level, a cell's span), at most
    ``most``; ``default`` if it gives none ("", "-1", "x", a thousand digits)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 6:
        return default
    return min(int(value), most)


def _val(element: Element | None, name: str = "val") -> str | None:
    return None if element is None else element.get(qn(f"w:{name}"))


def _overridden_levels(num: Element | None) -> dict[int, Element]:
    if num is None:
        return {}
    return {
        _level(override): override.find(qn("w:lvl"))
        for override in num.iter(qn("w:lvlOverride"))
        if override.find(qn("w:lvl")) is not None
    }


def _start(level: Element | None) -> int:
    start = _val(level.find(qn("w:start"))) if level is not None else None
    return number(start, 1)


def _render(levels: dict[int, Element], counts: dict[int, int], level: int) -> str:
    definition = levels.get(level)
    form = _val(definition.find(qn("w:numFmt"))) if definition is not None else "decimal"
    if form in ("bullet", "none"):
        return ""
    text = _val(definition.find(qn("w:lvlText"))) if definition is not None else None
    text = "%1." if text is None else text
    for index in range(9, 0, -1):  # %10 does not exist; %1 after %1x
        if f"%{index}" in text:
            at = levels.get(index - 1)
            shown = _val(at.find(qn("w:numFmt"))) if at is not None else "decimal"
            value = counts.get(index - 1, _start(at))
            text = text.replace(f"%{index}", _formatted(value, shown or "decimal"))
    return text.strip()


def _formatted(value: int, form: str) -> str:
    if form in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letters.upper() if form == "upperLetter" else letters
    if form in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman if form == "upperRoman" else roman.lower()
    if form == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
    numerals += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for amount, numeral in numerals:
        while value >= amount:
            out, value = out + numeral, value - amount
    return out


def _escaped(text: str) -> str:
    return "<br>".join(
        html.escape(" ".join(line.split()), quote=False) for line in text.split("\n")
    )


def cell_fragment(cell: Element, lists: Lists) -> tuple[str, list[str]]:
    """A table cell as an HTML fragment, and what a person should review in it (a table
    inside it, tracked changes, text boxes)."""
    pieces: list[tuple[str | None, str]] = []  # (list label or None, escaped text)
    notes: list[str] = []
    boxes: list[str] = []
    for block in unwrapped(cell):
        if block.tag == qn("w:p"):
            label = lists.label(block)
            text = paragraph_text(block, boxes).strip()
            if text:
                pieces.append((label, _escaped(f"{label} {text}" if label else text)))
        elif block.tag == qn("w:tbl"):
            rows = nested_rows(block)
            notes.append(
                f"a table inside the cell ({len(rows)} rows), read as a line a row, its "
                "cells joined with ' \u2013 ': check it"
            )
            pieces += [(None, _escaped(row)) for row in rows if row.strip()]
    change = tracked_changes(cell)
    if change is not None:
        notes.append(change)
    if any(boxes):
        notes.append(f"a text box in the cell, not read: {quoted(boxes)}")
    return _fragment(pieces), notes


def nested_rows(table: Element) -> list[str]:
    """A table's rows as lines, cells joined with a dash (so "February 2019 \u2013 Launch held"
    reads as a dated update) and a cell's paragraphs with " / "."""
    rows = []
    for row in unwrapped(table):
        if row.tag != qn("w:tr"):
            continue
        cells = []
        for cell in unwrapped(row):
            if cell.tag == qn("w:tc"):
                texts = [" ".join(paragraph_text(p).split()) for p in cell.iter(qn("w:p"))]
                cells.append(" / ".join(text for text in texts if text))
        rows.append(" \u2013 ".join(cell for cell in cells if cell))
    return rows


def _fragment(pieces: list[tuple[str | None, str]]) -> str:
    if len(pieces) == 1 and pieces[0][0] is None:
        return pieces[0][1]
    out: list[str] = []
    listed = False
    for label, text in pieces:
        if (label is not None) != listed:
            out.append("<ul>" if label is not None else "</ul>")
            listed = label is not None
        out.append(f"<li>{text}</li>" if listed else f"<p>{text}</p>")
    if listed:
        out.append("</ul>")
    return "".join(out)
