"""The documentation a newcomer finds: a README of at most 150 lines that points into docs/,
and docs/ a site that builds with ``mkdocs build --strict`` (a broken link or anchor, or a
page left out of the nav, fails it), every page in its nav, and every ``recledger`` command
line the README and the pages quote one the command line accepts."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from domain.values import LONG_TEXT_MAX
from tests.e2e.test_operator_kit import parses, recledger_args, shell_lines

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
README_MAX_LINES = 150
SHELL_OPERATORS = {"|", "||", "&", "&&", ";", ">", ">>", "<", "2>", "2>&1"}


def build(site: Path, config: Path = ROOT / "mkdocs.yml") -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``config`` into ``site``, in this Python."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
         "--site-dir", str(site)],
        cwd=config.parent, capture_output=True, text=True, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=300,
    )  # fmt: skip


def nav_pages(nav: Any) -> Iterator[str]:
    """Every page a mkdocs nav names, however nested."""
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for entry in nav:
            yield from nav_pages(entry)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from nav_pages(value)


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def command_line(line: str) -> str:
    """The first command of a shell line: cut at the first pipe, list or redirection
    operator outside quotes (``recledger project &``, ``... -o - | less``)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split, lexer.commenters = True, "#"
    words = []
    for word in lexer:
        if word in SHELL_OPERATORS:
            break
        words.append(word)
    return shlex.join(words)


def quoted_commands() -> list[tuple[str, list[str]]]:
    """Every recledger command line in a shell block of the README or a page: where, and
    its arguments."""
    found = []
    for path in [README, *pages()]:
        where = path.relative_to(ROOT)
        for line in shell_lines(path.read_text(encoding="utf-8")):
            args = recledger_args(command_line(line))
            if args is not None:
                found.append((f"{where}: {line.strip()}", args))
    return found


COMMANDS = quoted_commands()


def test_the_site_builds_with_mkdocs_strict(tmp_path: Path) -> None:
    done = build(tmp_path / "site")
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}"
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "guides" / "coordinator" / "index.html").is_file()


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    """The check is real: a page that links to a page or an anchor that does not exist is a
    failed build, not a warning scrolled past."""
    for link in ("[gone](no-such-page.md)", "[gone](#no-such-heading)"):
        docs = tmp_path / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "index.md").write_text(f"# Home\n\nSee {link}.\n", encoding="utf-8")
        config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
        config["nav"] = [{"Home": "index.md"}]
        (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        done = build(tmp_path / "site", tmp_path / "mkdocs.yml")
        output = done.stdout + done.stderr
        assert done.returncode != 0, f"{link} built:\n{output}"
        assert f"contains a link '{link[link.index('(') + 1 : -1]}'" in output


def test_the_readme_is_at_most_150_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines: keep it to what it is, the two commands, a tour "
        "and a map of the code, and move the rest into docs/"
    )


def test_every_page_in_docs_is_in_the_nav() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    named = list(nav_pages(config["nav"]))
    assert len(named) == len(set(named)), "a page is in the nav twice"
    on_disk = {path.relative_to(DOCS).as_posix() for path in pages()}
    assert on_disk - set(named) == set(), "pages left out of mkdocs.yml's nav"
    assert set(named) - on_disk == set(), "the nav names pages that do not exist"


def test_the_readme_links_every_guide_and_the_architecture() -> None:
    readme = README.read_text(encoding="utf-8")
    for page in ("guides/coordinator.md", "guides/agency-lead.md", "guides/auditor.md",
                 "guides/inspector.md", "architecture.md", "importing.md", "api.md",
                 "integrity.md", "operations.md"):  # fmt: skip
        assert f"(docs/{page})" in readme, page
        assert (DOCS / page).is_file(), page


def test_the_docs_quote_the_commands_of_every_reader() -> None:
    named = {next((a for a in args if not a.startswith("-")), "") for _, args in COMMANDS}
    assert {"import", "status", "overdue", "history", "correct", "update", "export",
            "board-report", "verify", "checkpoint", "prove", "token"} <= named  # fmt: skip


@pytest.mark.parametrize("args", [args for _, args in COMMANDS], ids=[w for w, _ in COMMANDS])
def test_every_recledger_command_the_docs_quote_parses_with_the_cli(args: list[str]) -> None:
    parses(args)


def test_a_command_line_is_cut_at_its_first_shell_operator() -> None:
    assert command_line("recledger project &") == "recledger project"
    assert command_line("recledger board-report d -o - | less") == "recledger board-report d -o -"
    assert command_line('recledger update d r --text "a | b" # note') == (
        "recledger update d r --text 'a | b'"
    )


def test_the_documented_text_limit_is_the_one_the_ledger_keeps() -> None:
    """The 50,000 characters the API once cut at 20,000 (tests/web/test_text_limits.py)."""
    values = (DOCS / "concepts.md").read_text(encoding="utf-8")
    assert f"text, updates, reasons and evidence at most {LONG_TEXT_MAX:,}" in values
