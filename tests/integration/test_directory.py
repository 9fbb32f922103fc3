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
from domain.agency import Agency
from domain.audit import acting_as
from domain.errors import AlreadyExists, InvalidCommand, NotFound, NotPermitted, RuleViolated
from domain.spelling import spelling_key
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
    unknown = [str(note) for note in outcome.notes if "is not in the directory" in note.text]
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


def test_a_lead_is_linked_to_the_person_one_of_their_spellings_names(seeded: Ledger) -> None:
    unlinked = {row["lead"] for row in seeded.unlinked_leads("dhr2")}
    assert {"Det Supt HQ PVP", "Steve Sanger"} <= unlinked and "(none)" not in unlinked
    with pytest.raises(NotFound, match="no agency 'west-mercia-police'"):
        seeded.register_person(
            cmd.RegisterPerson(name="Jane Smith", email="jane@wmp.police.uk",
                               agency="west-mercia-police")
        )  # fmt: skip
    seeded.register_agency(cmd.RegisterAgency(name="West Mercia Police"))
    jane = seeded.register_person(
        cmd.RegisterPerson(name="Jane Smith", email="Jane@WMP.police.uk", post="Det Supt HQ PVP",
                           agency="west-mercia-police", aliases=["det supt hq pvp"])
    )  # fmt: skip
    assert jane.email == "jane@wmp.police.uk"
    seeded.register_person(cmd.RegisterPerson(name="Steve Sanger", email="steve@example.org"))
    after = {row["lead"] for row in seeded.unlinked_leads("dhr2")}
    assert after == unlinked - {"Det Supt HQ PVP", "Steve Sanger"}
    with pytest.raises(AlreadyExists, match=r"already names jane@wmp\.police\.uk"):
        seeded.add_person_alias("steve@example.org", cmd.AddPersonAlias(alias="Det Supt HQ PVP"))
    with pytest.raises(AlreadyExists, match=r"already has jane@wmp\.police\.uk"):
        seeded.register_person(cmd.RegisterPerson(name="Jane", email="JANE@wmp.police.uk"))
    seeded.choose_reminders("jane@wmp.police.uk", cmd.ChooseReminders(reminders=False))
    with pytest.raises(RuleViolated, match="already does not want reminders"):
        seeded.choose_reminders("jane@wmp.police.uk", cmd.ChooseReminders(reminders=False))
    [jane_seen, steve] = seeded.people()
    assert (jane_seen.name, jane_seen.reminders, jane_seen.aliases) == (
        "Jane Smith",
        False,
        ("det supt hq pvp",),
    )
    assert (steve.agency, steve.reminders) == ("", True)


def test_a_token_for_a_person_takes_their_name_and_agency_and_records_them(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    ledger.register_agency(cmd.RegisterAgency(name="West Mercia Police"))
    ledger.register_person(
        cmd.RegisterPerson(name="Jane Smith", email="jane@wmp.police.uk",
                           agency="west-mercia-police")
    )  # fmt: skip
    ledger.register_person(cmd.RegisterPerson(name="Cora", email="cora@csp.gov.uk"))
    token = ledger.issue_token(cmd.IssueToken(person="jane@wmp.police.uk"))
    grant = ledger.authenticate(token)
    assert (grant.name, grant.role, grant.agencies) == (
        "Jane Smith",
        Role.AGENCY_LEAD,
        frozenset({"west-mercia-police"}),
    )
    with pytest.raises(InvalidCommand, match="has no agency: give the token's role"):
        ledger.issue_token(cmd.IssueToken(person="cora@csp.gov.uk"))
    ledger.issue_token(cmd.IssueToken(person="cora@csp.gov.uk", role=Role.COORDINATOR))
    with pytest.raises(NotFound, match=r"no one at 'nobody@example\.org'"):
        ledger.issue_token(cmd.IssueToken(person="nobody@example.org"))
    listed = {t.name: t.person for t in ledger.tokens()}
    assert listed == {"Jane Smith": "jane@wmp.police.uk", "Cora": "cora@csp.gov.uk"}
