"""Where the program's options go when users type them after the subcommand."""

from __future__ import annotations

from adapters.cli import where_click_reads_them


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
