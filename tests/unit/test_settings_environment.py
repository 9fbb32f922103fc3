"""The settings read their ``RECLEDGER_*`` variables as pydantic-settings read them
(``adapters.settings``): a name in any case, what the constructor is given over the
environment, and a value the field cannot take refused with the field's name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapters.settings import Settings


def test_a_variable_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECLEDGER_DB", raising=False)
    monkeypatch.setenv("recledger_db", "lower.db")
    assert Settings().db == "lower.db"


def test_what_the_constructor_is_given_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RECLEDGER_DB", "from-environment.db")
    assert Settings(db="given.db").db == "given.db"
    assert Settings().db == "from-environment.db"


def test_a_value_the_field_cannot_take_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RECLEDGER_PROJECTIONS", "sometimes")
    with pytest.raises(ValidationError, match="projections"):
        Settings()


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="colour"):
        Settings(colour="blue")  # type: ignore[call-arg]
