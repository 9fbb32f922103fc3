"""Where the program's options go when users type them after the subcommand."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from adapters.cli import app, asked, only_the_command_asked, where_click_reads_them


def test_program_options_typed_after_a_subcommand_are_moved_before_it() -> None:
    assert where_click_reads_them(["status", "--actor", "x", "--db=l.db"]) == [
        "--actor",
        "x",
        "--db=l.db",
        "status",
    ]


def test_audits_own_actor_option_filters_and_is_not_taken_for_the_acting_user() -> None:
    assert where_click_reads_them(["--actor", "me", "audit", "--actor", "lead", "--json"]) == [
        "--actor",
        "me",
        "audit",
        "--actor",
        "lead",
        "--json",
    ]


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--db", "l.db", "--actor", "x", "status", "dhr2"], "status"),
        (["--db=l.db", "token", "add", "amy"], "token"),
        (["--json", "plans"], "plans"),
        (["--help", "status"], None),
        (["--", "status"], None),
        (["--db", "l.db"], None),
    ],
)
def test_the_subcommand_asked_is_the_first_word_that_is_no_options_value(
    args: list[str], name: str | None
) -> None:
    assert asked(args) == name


def test_only_the_command_asked_is_built_and_it_runs_as_in_the_whole_program() -> None:
    only = only_the_command_asked(["--db", "memory:", "status"])
    assert [c.callback.__name__ for c in only.registered_commands if c.callback] == ["status"]
    assert only.registered_groups == []
    assert len(app.registered_commands) > 1  # the program itself is left whole
    runner = CliRunner()
    args = ["--db", "memory:", "status", "--help"]
    assert runner.invoke(only, args).output == runner.invoke(app, args).output


@pytest.mark.parametrize("args", [["--help"], ["statu", "dhr2"], ["--db", "l.db"]])
def test_the_whole_program_where_no_subcommand_it_knows_is_named(args: list[str]) -> None:
    assert only_the_command_asked(args) is app


def test_a_group_asked_is_built_with_its_commands() -> None:
    only = only_the_command_asked(["token", "add", "amy", "--role", "coordinator"])
    assert [g.name for g in only.registered_groups] == ["token"]
    assert only.registered_commands == []
