"""HTML fragments from Word table cells, turned into plain lines of text.

Cells carry ``<p>``, ``<br>``, ``<ul>``/``<ol>``/``<li>`` and, just as often, inline
bullet glyphs ("•") or typed numbers ("1. ... 2. ...") inside an unclosed list.
Each paragraph or list item becomes one line; nothing but markup is dropped.
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "blockquote"}
    | {f"h{n}" for n in range(1, 7)}
)
_BULLETS = re.compile(r"\s*[•▪◦●\uf0b7\uf0a7]\s*")
_SPACES = re.compile(r"\s+")
_NUMBER_MARK = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+")
_ITEM_NUMBER = re.compile(r"^\d{1,2}[.)]\s")


def split_numbered(text: str) -> list[str]:
    """Split "1. a 2. b 3. c" at its sequential numbers; other text comes back whole."""
    cuts: list[int] = []
    expected = 1
    for match in _NUMBER_MARK.finditer(text):
        if int(match.group(1)) == expected and (expected > 1 or match.start() == 0):
            cuts.append(match.start())
            expected += 1
    if len(cuts) < 2:
        return [text]
    bounds = [*cuts, len(text)]
    return [text[a:b].strip() for a, b in itertools.pairwise(bounds)]


class _Lines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buffer: list[str] = []
        self._lists: list[list] = []  # [tag, next item number, saw <li>]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _BLOCK_TAGS:
            return
        self.flush()
        if tag in ("ul", "ol"):
            self._lists.append([tag, 1, False])
        elif tag == "li" and self._lists:
            current = self._lists[-1]
            current[2] = True
            if current[0] == "ol":
                self._buffer.append(f"{current[1]}. ")
                current[1] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag not in _BLOCK_TAGS:
            return
        self.flush()
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()

    def handle_data(self, data: str) -> None:
        """A line break inside a cell (a spreadsheet's Alt+Enter) ends a paragraph."""
        first, *rest = data.split("\n")
        self._buffer.append(first)
        for line in rest:
            self.flush()
            self._buffer.append(line)

    def flush(self) -> None:
        text = _SPACES.sub(" ", "".join(self._buffer)).strip()
        self._buffer.clear()
        if not text:
            return
        inline_ol = bool(self._lists) and self._lists[-1][0] == "ol" and not self._lists[-1][2]
        for piece in _BULLETS.split(text):
            parts = split_numbered(piece) if inline_ol else [piece]
            self.lines.extend(part.strip() for part in parts if part.strip())


def html_to_lines(fragment: str) -> list[str]:
    """One entry per paragraph / list item, whitespace collapsed, entities unescaped."""
    parser = _Lines()
    parser.feed(fragment)
    parser.close()
    parser.flush()
    return _fix_double_numbers(parser.lines)


def _fix_double_numbers(lines: list[str]) -> list[str]:
    """``<ol><li>1. x`` would read "1. 1. x": keep the number as written."""
    return [re.sub(r"^(\d{1,2})\. (?=\1[.)]\s)", "", line) for line in lines]


def html_to_text(fragment: str) -> str:
    """Plain text of a cell: paragraphs and list items on separate lines."""
    return "\n".join(html_to_lines(fragment))


def is_list_item(line: str) -> bool:
    return bool(_ITEM_NUMBER.match(line))


def starts_new_item(fragment: str) -> bool:
    """Does this raw cell fragment open with a list (so it cannot continue a sentence)?"""
    head = re.sub(r"^(?:\s|<p\b[^>]*>|<div\b[^>]*>)+", "", fragment)
    return bool(re.match(r"(?:<(?:ul|ol|li)\b|[•▪◦●\uf0b7\uf0a7])", head, re.IGNORECASE))


def has_unclosed_block(fragment: str) -> bool:
    """An opened ``<p>`` never closed: the cell was cut off mid-paragraph.

    Lists are left out on purpose: Word exports leave ``<ul>`` and ``<li>`` open all the time.
    """
    opened = len(re.findall(r"<p\b", fragment, re.IGNORECASE))
    closed = len(re.findall(r"</p\s*>", fragment, re.IGNORECASE))
    return opened > closed
