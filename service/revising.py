"""What a version of a plan's document states, recorded on one recommendation: its actions
and their statuses, its own status, and what a later version changed since the versions
before it (a field changed by hand meanwhile is reported as a conflict, not reverted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.recommendation import Recommendation
from domain.state import RecommendationState
from service.documents import Note, PlanDocument, RecommendationDocument, SubActionDocument


def add_action(rec: Recommendation, action: SubActionDocument, when: FuzzyDate | None) -> str:
    """Add an action as the document states it, with its own updates; return its number."""
    number = rec.add_sub_action(action.text, action.leads, action.target, when, action.number)
    for update in action.updates:
        rec.record_progress(update.text, update.effective, action=number)
    return number


def settle_statuses(
    rec: Recommendation,
    actions: list[tuple[str, SubActionDocument]],
    doc: RecommendationDocument,
    document: PlanDocument,
    notes: list[Note] | None = None,
) -> None:
    """The actions' stated statuses and the recommendation's, in the order that reaches
    them: a recommendation completes with its open actions, and withdraws them, and it
    completes by itself once all its actions are closed and one completed. So: withdrawn
    actions first, unless the recommendation is withdrawn, which withdraws them itself."""
    withdrawn = [(n, a) for n, a in actions if a.status == Status.WITHDRAWN]
    others = [(n, a) for n, a in actions if a.status != Status.WITHDRAWN]
    if doc.status == Status.WITHDRAWN:
        _settle_actions(rec, others)
        _settle_status(rec, doc, document, notes)
        _settle_actions(rec, withdrawn)
    else:
        _settle_actions(rec, withdrawn + others)
        _settle_status(rec, doc, document, notes)


def _settle_actions(rec: Recommendation, actions: list[tuple[str, SubActionDocument]]) -> None:
    for number, action in actions:
        basis = f"inferred from: {action.status_basis!r}" if action.status_basis else None
        current = rec.state.item(number).status
        if action.status == current or current == Status.WITHDRAWN:
            continue
        if action.status == Status.COMPLETED and current != Status.COMPLETED:
            completed = action.status_date
            assert completed is not None, "a completion read from a document is always dated"
            rec.complete(completed, basis, action=number)
        elif action.status == Status.WITHDRAWN and current != Status.COMPLETED:
            reason = basis or "withdrawn, as the document states"
            rec.withdraw(reason, action.status_date, action=number)
        elif basis is not None and current != Status.COMPLETED:
            rec.change_status(action.status, basis, action.status_date, action=number)


def revise(
    rec: Recommendation,
    doc: RecommendationDocument,
    document: PlanDocument,
    sources: set[str],
    notes: list[Note],
) -> None:
    """Record what this version changed since the documents before it said otherwise.

    The comparison is with ``said``, what the plan's documents have stated so far, never
    with the ledger's current state: a correction, reassignment or update recorded by hand
    between two versions is not reverted, re-added or duplicated by the next import. Where
    the new version changes a field that was also changed by hand, the document's change is
    recorded (it is what the plan now says) and the conflict is reported.
    """
    said = rec.as_stated_by(sources) or rec.state
    why = f"as stated in {document.version_label}"
    when = document.version_date
    follow = _Follower(rec, doc, sources, document.version_label, notes)
    raising = rec.log[0].event_id
    fields: tuple[tuple[str, Any, Callable[[Any], None]], ...] = (
        (
            "text",
            doc.text,
            lambda text: rec.correct(raising, why, amendment={"text": text}),
        ),
        ("leads", doc.leads, lambda leads: rec.reassign_leads(leads, why, when)),
        ("agency", doc.agency, lambda agency: rec.reassign_agency(agency, why, when)),
        ("target", doc.target, lambda target: rec.revise_target(target, why, when)),
        ("theme", doc.theme, lambda theme: rec.correct(raising, why, amendment={"theme": theme})),
    )
    for name, stated, record in fields:
        if stated and not _same(getattr(said, name), stated):  # the document changed it
            follow.change(name, getattr(said, name), stated, record)
    known_actions = {_same_text(a.text) for a in (*said.sub_actions, *rec.state.sub_actions)}
    added = [
        (add_action(rec, action, when), action)
        for action in doc.sub_actions
        if _same_text(action.text) not in known_actions
    ]
    _settle_actions(rec, added + _restated_actions(rec, doc, said, follow))
    _follow_updates(rec, doc, said, notes)
    if doc.status != said.status or said is rec.state:
        follow.status(said.status, doc.status)
        _settle_status(rec, doc, document, notes)


def _restated_actions(
    rec: Recommendation, doc: RecommendationDocument, said: RecommendationState, follow: _Follower
) -> list[tuple[str, SubActionDocument]]:
    """The sub-actions already held whose status this version states otherwise than the
    versions before it (as when it newly says its recommendation is ongoing, which its
    silent sub-actions take): to be settled, a hand edit meanwhile reported."""
    before = {_same_text(a.text): a for a in said.sub_actions}
    held = {_same_text(a.text): a for a in rec.state.sub_actions}
    restated = []
    for action in doc.sub_actions:
        key = _same_text(action.text)
        if key in held and key in before and before[key].status != action.status:
            follow.status(before[key].status, action.status, held[key].action)
            restated.append((held[key].action, action))
    return restated


def _follow_updates(
    rec: Recommendation, doc: RecommendationDocument, said: RecommendationState, notes: list[Note]
) -> None:
    """Updates new in the document are recorded, unless the ledger already holds their text."""
    earlier = {_same_text(u.text): u for u in said.updates}
    held = {_same_text(u.text) for u in rec.state.updates}
    for update in doc.updates:
        before = earlier.get(_same_text(update.text))
        if before is None and _same_text(update.text) not in held:
            rec.record_progress(update.text, update.effective)
        elif (
            before is not None
            and before.effective != update.effective
            and not update.effective.inferred
        ):
            moved = (
                f"an update now dated {update.effective.text} was recorded as "
                f"{before.effective.text}; not changed (correct it if the new date is right)"
            )
            notes.append(Note(doc.ref, moved, doc.line))
    stated = {_same_text(u.text) for u in doc.updates}
    for missing in (u for u in said.updates if _same_text(u.text) not in stated):
        gone = f"the update of {missing.effective.text} is no longer in the document"
        notes.append(Note(doc.ref, f"{gone}; kept in the ledger", doc.line))


_STATUS_EVENTS = (
    Recommendation.StatusChanged,
    Recommendation.Completed,
    Recommendation.Reopened,
    Recommendation.Withdrawn,
)


@dataclass
class _Follower:
    """Applies a document's change to one field, reporting a conflict with a hand edit."""

    rec: Recommendation
    doc: RecommendationDocument
    sources: set[str]
    version: str
    notes: list[Note]

    def change(self, name: str, said: Any, stated: Any, record: Callable[[Any], None]) -> None:
        current = getattr(self.rec.state, name)
        if not _same(current, said) and not _same(current, stated):
            edit = self._hand_edit(name)
            self._conflict(name, current, stated, "recorded the document's", edit)
        if not _same(current, stated):
            record(stated)

    def status(self, said: Status, stated: Status, action: str | None = None) -> None:
        """The status of the recommendation, or of its sub-action ``action``."""
        current = self.rec.state.item(action).status
        if current not in (said, stated):
            name = "status" if action is None else f"the status of sub-action {action}"
            edit = self._hand_edit("status", action)
            self._conflict(name, current.value, stated.value, "settled as for any import", edit)

    def _conflict(
        self, name: str, by_hand: Any, stated: Any, outcome: str, edit: Recommendation.Event | None
    ) -> None:
        """Report that ``name`` was changed by hand (by ``edit``, if found) and restated."""
        who = f" by {edit.actor} on {edit.timestamp:%Y-%m-%d}" if edit else ""
        said = (
            f"conflict on {name}: changed by hand{who} to {_shown(by_hand)}; "
            f"{self.version} says {_shown(stated)}; {outcome}"
        )
        self.notes.append(Note(self.doc.ref, said, self.doc.line))

    def _hand_edit(self, name: str, action: str | None = None) -> Recommendation.Event | None:
        """The latest event not from a document that set the field ``name`` of the
        recommendation or its sub-action ``action`` (directly, or by correcting the event
        that set it)."""
        for event in reversed(self.rec.log):
            if event.source in self.sources or getattr(event, "action", None) != action:
                continue
            if isinstance(event, Recommendation.Corrected):
                corrected = self.rec.event(event.corrects)
                if any(corrected.shows.get(amended) == name for amended in event.amendment):
                    return event
            elif name in event.shows.values() or (
                name == "status" and isinstance(event, _STATUS_EVENTS)
            ):
                return event
        return None


def _same(a: Any, b: Any) -> bool:
    """Equal values; texts ignoring spacing and case, as a reader would."""
    if isinstance(a, str) and isinstance(b, str):
        return _same_text(a) == _same_text(b)
    return bool(a == b)


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(", ".join(value))
    if isinstance(value, FuzzyDate):
        return repr(value.text)
    text = str(value)
    return repr(text if len(text) <= 80 else text[:79] + "…")


def _same_text(text: str) -> str:
    """Updates are matched by their text, ignoring spacing and case: their dates may be
    inferred, and inferred dates move when a later version adds a dated update."""
    return " ".join(text.split()).casefold()


def _settle_status(
    rec: Recommendation,
    doc: RecommendationDocument,
    document: PlanDocument,
    notes: list[Note] | None = None,
) -> None:
    """Move the status to what the document states, conservatively: never reopen or
    un-withdraw; open or in progress only when the document states it (a Status cell);
    withdrawn only when its Status cell says so."""
    state: RecommendationState = rec.state
    basis = f"inferred from: {doc.status_basis!r}" if doc.status_basis else None
    if state.status == Status.WITHDRAWN or doc.status == state.status:
        return
    if doc.status == Status.COMPLETED:
        rec.complete(doc.status_date or doc.raised, evidence=basis)
    elif doc.status == Status.WITHDRAWN:
        if state.status == Status.COMPLETED:
            if notes is not None:
                said = "the document says withdrawn; completed, not changed"
                notes.append(Note(doc.ref, said, doc.line))
            return
        rec.withdraw(basis or "withdrawn, as the document states", doc.status_date)
    elif state.status == Status.COMPLETED:
        if notes is not None:
            said = "the document no longer says it is completed; not reopened"
            notes.append(Note(doc.ref, said, doc.line))
    elif doc.status == Status.ONGOING or basis is not None:
        rec.change_status(doc.status, basis, doc.status_date)
