"""The directory of agencies (issue 27): one canonical name, aliases, and recommendations
counted under the agency their spelling names, as known at any moment; on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.importing.document import read_document
from domain.access import Grant, Role
from domain.agency import Agency, spelling_key
from domain.audit import acting_as
from domain.errors import AlreadyExists, InvalidCommand, NotPermitted
from service import command_models as cmd
from service.ledger import Ledger

CANONICAL = "South Worcestershire Community Safety Partnership"
MISSPELT = "South Worcestershire Safety Community Partnership"  # as the seed plan writes it


def counts(ledger: Ledger, **when: object) -> dict[str, int]:
    return {row["agency"]: row["open"] for row in ledger.workload("agency", "dhr2", **when)}


@pytest.fixture
def seeded(db_url: str, open_ledger: Callable[[str], Ledger], seed_plan: Path) -> Ledger:
    ledger = open_ledger(db_url)
    ledger.import_document(read_document(seed_plan)[0])
    return ledger


def test_an_alias_added_later_refiles_what_was_stored_under_it_as_known_from_then(
    seeded: Ledger,
) -> None:
    before = counts(seeded)
    assert before[CANONICAL] == 2 and before[MISSPELT] == 1
    seeded.register_agency(cmd.RegisterAgency(name=CANONICAL, slug="swcsp"))
    assert counts(seeded) == before  # the canonical name alone files nothing new
    moment = datetime.now(UTC)
    seeded.add_agency_alias("swcsp", cmd.AddAgencyAlias(alias=MISSPELT))
    after = counts(seeded)
    assert after[CANONICAL] == 3 and MISSPELT not in after
    assert sum(after.values()) == sum(before.values())  # nothing lost, nothing counted twice
    assert counts(seeded, known_at=moment) == before  # as known before the alias
    assert counts(seeded, known_at=datetime.now(UTC))[CANONICAL] == 3
    everywhere = {row["agency"]: row["open"] for row in seeded.workload("agency")}
    assert everywhere[CANONICAL] == 3
    stored = {view.agency for view in seeded.status("dhr2")}
    assert MISSPELT in stored  # the recommendation keeps its spelling: no event rewritten


def test_an_import_files_a_known_spelling_under_its_agency_and_reports_unknown_names(
    db_url: str, open_ledger: Callable[[str], Ledger], seed_plan: Path
) -> None:
    ledger = open_ledger(db_url)
    ledger.register_agency(cmd.RegisterAgency(name=CANONICAL, slug="swcsp", aliases=[MISSPELT]))
    ledger.register_agency(cmd.RegisterAgency(name="West Mercia Police"))
    outcome = ledger.import_document(read_document(seed_plan)[0])
    agencies = {view.ref: view.agency for view in ledger.status("dhr2")}
    assert agencies["overview/12"] == CANONICAL  # the document wrote the alias
    assert MISSPELT not in agencies.values()
    unknown = [note for note in outcome.notes if "is not in the directory" in note]
    assert any("'Worcester Community Housing' is not in the directory" in note for note in unknown)
    [cri] = [note for note in unknown if "'CRI Pathway to Recovery'" in note]
    assert cri.startswith("imr/cri-pathway-to-recovery/1: ")
    assert len(unknown) == len({note.split("agency ", 1)[1] for note in unknown})  # once each
    again = ledger.import_document(read_document(seed_plan)[0])
    assert again.already_imported and not again.events


def test_a_recommendation_stored_under_an_alias_is_not_reassigned_by_a_later_version(
    db_url: str, open_ledger: Callable[[str], Ledger], seed_plan: Path, tmp_path: Path
) -> None:
    ledger = open_ledger(db_url)
    ledger.import_document(read_document(seed_plan)[0])
    ledger.register_agency(cmd.RegisterAgency(name=CANONICAL, slug="swcsp", aliases=[MISSPELT]))
    later = tmp_path / "plan-v2.txt"
    text = seed_plan.read_text(encoding="utf-8").replace(MISSPELT, CANONICAL)
    later.write_text(text, encoding="utf-8")
    document = read_document(later, version_label="v2")[0]
    outcome = ledger.import_document(document)
    moved = [e for _, e in outcome.events if type(e).__name__ == "AgencyReassigned"]
    assert moved == []  # the same agency, spelt as the directory spells it


def test_one_spelling_names_one_agency(db_url: str, open_ledger: Callable[[str], Ledger]) -> None:
    ledger = open_ledger(db_url)
    ledger.register_agency(cmd.RegisterAgency(name=CANONICAL, slug="swcsp"))
    with pytest.raises(AlreadyExists, match="already has an agency 'swcsp'"):
        ledger.register_agency(cmd.RegisterAgency(name="Another", slug="swcsp"))
    with pytest.raises(AlreadyExists, match="already names the agency"):
        ledger.register_agency(cmd.RegisterAgency(name=CANONICAL.upper() + ".", slug="other"))
    ledger.register_agency(cmd.RegisterAgency(name="West Mercia Police"))
    with pytest.raises(AlreadyExists, match="already names the agency"):
        ledger.add_agency_alias("west-mercia-police", cmd.AddAgencyAlias(alias=CANONICAL))
    spaced = "south  worcestershire community safety partnership"
    with pytest.raises(AlreadyExists, match="already known as"):
        ledger.add_agency_alias("swcsp", cmd.AddAgencyAlias(alias=spaced))
    [swcsp, police] = ledger.agencies()  # by name
    assert (police.slug, police.kind, police.aliases) == ("west-mercia-police", "local", ())
    assert (swcsp.name, swcsp.aliases) == (CANONICAL, ())


def test_only_a_coordinator_keeps_the_directory(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    lead = Grant("lee", Role.AGENCY_LEAD, frozenset({"west-mercia-police"}))
    with acting_as("lee", "api", lead), pytest.raises(NotPermitted):
        ledger.register_agency(cmd.RegisterAgency(name="West Mercia Police"))
    ledger.register_agency(cmd.RegisterAgency(name="West Mercia Police"))
    with acting_as("lee", "api", lead), pytest.raises(NotPermitted):
        ledger.add_agency_alias("west-mercia-police", cmd.AddAgencyAlias(alias="WMP"))
    with acting_as("lee", "api", lead):
        assert [a.slug for a in ledger.agencies()] == ["west-mercia-police"]


def test_a_spelling_key_ignores_case_spacing_punctuation_and_compatibility_forms() -> None:
    assert spelling_key("NHS  Trust.") == spelling_key("nhs trust") == "nhs trust"
    assert spelling_key("\uff37\uff45\uff53\uff54 Mercia") == "west mercia"  # full-width letters
    assert spelling_key("Police & Crime") == "police and crime"
    assert spelling_key("West Mercia") != spelling_key("Mercia West")
    with pytest.raises(InvalidCommand, match="needs a name"):
        Agency.register("...")
    with pytest.raises(InvalidCommand, match="lower-case slug"):
        Agency.register("West Mercia Police", slug="West Mercia")
