"""Filing a document's agencies under the directory's: the agency a spelling names, and for
a name the directory does not know, the closest names it does (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from domain.recommendation import Recommendation
from domain.spelling import spelling_key
from projections.directory import AgencyView
from service.documents import Note, PlanDocument, RecommendationDocument


def filed(
    document: PlanDocument,
    directory: list[AgencyView],
    recs: Mapping[str, Recommendation | None],
    notes: list[Note],
) -> PlanDocument:
    """The document with its agencies as the directory names them: a spelling the directory
    knows is filed under its agency (a new recommendation records the canonical name; one
    already stored keeps its own spelling when that names the same agency, so a spelling
    changes nothing). A name the directory does not know is reported once, with the
    closest names it does know (when it knows any)."""
    if not directory:
        return document
    by_key = {spelling_key(s): a for a in directory for s in (a.name, *a.aliases)}
    unknown: dict[str, RecommendationDocument] = {}
    written = []
    for doc in document.recommendations:
        agency = by_key.get(spelling_key(doc.agency))
        if agency is None:
            if doc.agency and doc.agency not in unknown:
                unknown[doc.agency] = doc
            written.append(doc)
            continue
        stored = recs.get(doc.ref)
        kept = stored.state.agency if stored is not None else None
        same = kept is not None and by_key.get(spelling_key(kept)) is agency
        written.append(replace(doc, agency=kept if same and kept else agency.name))
    for name, doc in unknown.items():
        said = f"agency {name!r} is not in the directory ({closest(name, directory)})"
        notes.append(Note(doc.ref, said, doc.line))
    return replace(document, recommendations=tuple(written))


def closest(name: str, directory: list[AgencyView], most: int = 3) -> str:
    """The directory's agencies whose names are most like ``name`` (the same words in any
    order score highest), and how to file it."""
    spellings = {s: a for a in directory for s in (a.name, *a.aliases)}
    found = process.extract(
        name,
        list(spellings),
        scorer=fuzz.token_sort_ratio,
        processor=default_process,
        score_cutoff=60,
        limit=None,
    )
    agencies = list(dict.fromkeys(spellings[spelling] for spelling, _, _ in found))[:most]
    like = "; ".join(f"{a.name} ({a.slug})" for a in agencies)
    how = "file it with 'recledger agency alias SLUG NAME' or 'agency add NAME'"
    return f"closest: {like}; {how}" if like else f"no name in it is close; {how}"
