"""A deterministic synthetic corpus of plans, for the benchmarks.

Plans of 10-30 recommendations, 3-20 events each, 20 agencies, dates 2010-2026, with
backdated and out-of-order updates, target revisions, reassignments, completions,
reopenings, withdrawals and corrections. The same seed gives the same content (recorded
times are, as always, the ledger's own clock).

Texts are prose drawn from a vocabulary of the field's words, the commoner ones more often
(weights 1/rank, as word frequencies go), by a generator of each recommendation's own: so
the words change nothing else the seed decides, and a search finds what a reader would.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import LedgerError
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind, Status
from domain.plan import Plan
from domain.recommendation import Recommendation

AGENCIES = [
    "West Mercia Police", "Worcestershire County Council", "Adult Social Care",
    "Children's Services", "Acute Hospitals Trust", "Health and Care Trust",
    "Clinical Commissioning Group", "Probation Service", "Community Rehabilitation Company",
    "Women's Aid", "Community Housing", "District Council", "Ambulance Service",
    "Fire and Rescue", "Substance Misuse Service", "Mental Health Trust", "Education",
    "Public Health", "Victim Support", "Community Safety Partnership",
]  # fmt: skip
LEADS = [f"{title} {name}" for title in ("DCI", "Head of", "Manager", "Lead") for name in
         ("Adams", "Brown", "Clark", "Davies", "Evans", "Green", "Hall", "Jones")]  # fmt: skip
_FIELD_WORDS = """
review agency practice risk assessment training staff safeguarding referral information
sharing domestic abuse victim police health services multi-agency policy procedure children
family support housing marac coercive control awareness guidance partnership board report
audit case management plan safety mental substance misuse alcohol drugs perpetrator court
order probation school education hospital emergency department general practitioner nurse
midwife social worker pathway escalation supervision record keeping communication
protocol threshold disclosure consent confidentiality advocate idva independent refuge
accommodation homelessness benefits finance employment carer older adults vulnerable
learning disability capacity assessment tool dash checklist stalking harassment honour
violence forced marriage female genital mutilation trafficking modern slavery neglect
self-harm suicide bereavement counselling therapy prescribing medication appointment
attendance missed follow-up contact telephone letter visit home visit professional meeting
conference strategy discussion chronology learning themes recommendations action owner
commissioning contract monitoring outcome measure performance indicator dataset quality
assurance inspection governance leadership culture resources funding capacity workforce
induction refresher e-learning workshop briefing newsletter leaflet poster campaign
community engagement faith group voluntary sector interpreter language culture barriers
"""
VOCABULARY = list(dict.fromkeys(_FIELD_WORDS.split()))
"""The field's words, in rough order of how often action plans use them."""
_WEIGHTS = [1 / rank for rank in range(1, len(VOCABULARY) + 1)]


def prose(words: random.Random, low: int, high: int) -> str:
    """Between ``low`` and ``high`` words of the vocabulary, as a sentence."""
    chosen = words.choices(VOCABULARY, weights=_WEIGHTS, k=words.randint(low, high))
    return " ".join(chosen).capitalize() + "."


SEASONS = ("Spring", "Summer", "Autumn", "Winter")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


@dataclass
class GeneratedPlan:
    plan: Plan
    recommendations: list[Recommendation]

    @property
    def aggregates(self) -> list[Plan | Recommendation]:
        return [self.plan, *self.recommendations]

    @property
    def events(self) -> int:
        return sum(len(a.pending_events) for a in self.aggregates)


def fuzzy(rng: random.Random, day: date) -> FuzzyDate:
    """The same day written as people write it: a day, a month or a season."""
    style = rng.random()
    if style < 0.4:
        return FuzzyDate.on(day)
    if style < 0.85:
        return FuzzyDate.parse(f"{MONTHS[day.month - 1]} {day.year}")
    season = SEASONS[((day.month - 3) % 12) // 3]
    return FuzzyDate.parse(f"{season} {day.year - (day.month < 3)}")


def corpus(seed: int, events: int) -> Iterator[GeneratedPlan]:
    """Plans until about ``events`` events have been generated (one plan at a time)."""
    rng = random.Random(seed)
    made = number = 0
    while made < events:
        number += 1
        generated = _plan(rng, number)
        made += generated.events
        yield generated


def _plan(rng: random.Random, number: int) -> GeneratedPlan:
    plan_id = f"plan-{number:06d}"
    agreed = date(2010, 1, 1) + timedelta(days=rng.randrange(0, 14 * 365))
    plan = Plan.open(plan_id, f"Review {number}", kind=rng.choice(list(ReviewKind)))
    plan.record_document_version("1st Version", FuzzyDate.on(agreed), f"{plan_id}.txt")
    agencies = rng.sample(AGENCIES, 4)
    recommendations = []
    for n in range(1, rng.randint(10, 30) + 1):
        agency = rng.choice(agencies)
        slug = agency.lower().replace("'", "").replace(" ", "-")
        ref = f"overview/{n}" if n <= 8 else f"imr/{slug}/{n}"
        recommendations.append(_recommendation(rng, plan_id, ref, agency, agreed))
    return GeneratedPlan(plan, recommendations)


def _recommendation(
    rng: random.Random, plan_id: str, ref: str, agency: str, agreed: date
) -> Recommendation:
    target = agreed + timedelta(days=rng.randrange(60, 720))
    words = random.Random(f"{plan_id} {ref}")
    rec = Recommendation.raise_recommendation(
        plan_id=plan_id,
        ref=ref,
        text=f"Recommendation {ref} of {plan_id}: {prose(words, 12, 30)}",
        agency=agency,
        leads=rng.sample(LEADS, rng.randint(1, 2)),
        target=fuzzy(rng, target),
        effective=FuzzyDate.on(agreed),
    )
    day = agreed
    for _ in range(rng.randint(3, 20) - 1):
        day = min(day + timedelta(days=rng.randrange(0, 120)), date(2026, 6, 30))
        # The dice may ask for something the rules refuse, as a user might: skip it.
        with contextlib.suppress(LedgerError):
            _next_event(rng, words, rec, day, agreed)
    return rec


def _next_event(
    rng: random.Random, words: random.Random, rec: Recommendation, day: date, agreed: date
) -> None:
    roll = rng.random()
    backdated = agreed + timedelta(days=rng.randrange(0, max((day - agreed).days, 1)))
    when = fuzzy(rng, backdated if rng.random() < 0.2 else day)
    if roll < 0.5:
        rec.record_progress(f"Progress on {rec.state.ref}: {prose(words, 6, 25)}", when)
    elif roll < 0.6:
        rec.revise_target(fuzzy(rng, day + timedelta(days=rng.randrange(30, 400))), "revised", when)
    elif roll < 0.68:
        rec.reassign_leads(rng.sample(LEADS, rng.randint(1, 2)), "restructure", when)
    elif roll < 0.71:
        rec.reassign_agency(rng.choice(AGENCIES), "responsibility moved", when)
    elif roll < 0.74:
        rec.change_status(Status.ONGOING, "embedded", when)
    elif roll < 0.84:
        rec.complete(fuzzy(rng, day), "audit evidence")
    elif roll < 0.86:
        rec.reopen("audit found gaps", when)
    elif roll < 0.87:
        rec.withdraw("superseded", when)
    else:
        earlier = rng.choice(rec.log[1:] or rec.log)
        if rng.random() < 0.5:
            rec.correct(earlier.event_id, "entered in error", retract=True)
        else:
            rec.correct(earlier.event_id, "wrong date", amendment={"effective": when})
