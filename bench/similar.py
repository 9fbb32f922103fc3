"""Which ranking finds a recommendation made before, reworded? ``python -m bench.similar``

A labelled set built from the seed plan (``../shared/data/dhr-case-2-action-plan.txt``): each
query below rewords one of its recommendations as another review might have put it (a
different area, other agencies' names, the same ask). The candidates are the seed's twenty
recommendations and twenty other reviews' on the same themes (``OTHERS``). For each
method: how often the intended one ranks first (top-1), in the first three, and the mean
reciprocal rank. Methods: rapidfuzz's ratios (already a dependency), and BM25 over SQLite
FTS5 with the Porter stemmer (the search index's own engine; the query's words OR-ed);
TF-IDF with cosine similarity too when scikit-learn is installed (it is not a dependency:
``pip install scikit-learn`` into the venv to compare).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from adapters.importing.document import read_document

SEED = Path(__file__).resolve().parents[2] / "shared/data/dhr-case-2-action-plan.txt"

REWORDED = {
    "overview/1": "Police forces should make sure every frontline officer understands their duty "
    "to take positive action at domestic abuse incidents, including arrest where lawful.",
    "overview/2": "The constabulary to evaluate the pilots of anti-social behaviour risk "
    "assessment conferences before deciding whether to roll them out.",
    "overview/4": "Accident and emergency staff at the acute trust must record full details, "
    "including previous attendances, of patients presenting with injuries.",
    "overview/7": "Where clients will not engage at an agency's own premises, services should "
    "consider meeting them somewhere else they feel safe.",
    "overview/9": "The housing provider should review how it handles tenants living with a "
    "partner who is not on the tenancy.",
    "overview/11": "Agencies in the partnership should take part in Freedom Programme training "
    "and make referrals to MARAC.",
    "overview/12": "The community safety partnership must make sure recommendations from "
    "individual management reviews are followed up and completed.",
    "imr/west-mercia-police/1": "Build an analytical tool to identify the people most "
    "vulnerable to harm from repeat domestic abuse so that the force can intervene.",
    "imr/west-mercia-police/3": "Raise officers' awareness of domestic violence protection "
    "notices and orders and when to use them.",
    "imr/west-mercia-police/5": "Reinforce the police's statutory duty to safeguard children "
    "and raise awareness of child safeguarding among officers.",
    "imr/west-mercia-police/6": "The operational information system must be managed more "
    "dynamically and be open to scrutiny.",
    "imr/cri-pathway-to-recovery/1": "Improve how referrals are managed and how clients are "
    "assertively engaged by the drug and alcohol service.",
}
"""Each query, by the ref of the seed recommendation it rewords."""

OTHERS = [
    "Police call handlers should receive refresher training on the DASH risk assessment.",
    "The force should audit how officers record domestic abuse incidents on its systems.",
    "GPs should ask patients about domestic abuse routinely and know how to refer to MARAC.",
    "The CCG should make sure practices have a named lead for domestic abuse.",
    "The emergency department should screen for domestic abuse and refer to the IDVA.",
    "The housing association should adopt a domestic abuse policy for its tenants.",
    "Housing officers should be trained to recognise coercive control.",
    "The MARAC steering group should review its information sharing protocol.",
    "Agencies should share information about high risk victims before MARAC meetings.",
    "The partnership should commission an awareness campaign about coercive control.",
    "Women's Aid should offer outreach to victims in rural areas who cannot travel.",
    "Substance misuse services should screen all clients for domestic abuse.",
    "Children's social care should consider the risk to children in every referral.",
    "Schools should be told of domestic abuse incidents involving their pupils' families.",
    "Probation should share the risk a perpetrator poses with the police and MARAC.",
    "The partnership should monitor the implementation of DHR action plans quarterly.",
    "Adult social care should review its safeguarding thresholds for older victims.",
    "Mental health services should ask about domestic abuse at every assessment.",
    "The police should evaluate the use of Clare's Law disclosures in the area.",
    "Agencies should record when clients miss appointments and follow them up.",
]
"""Distractors: other reviews' recommendations on the same themes (written for this set)."""

Scorer = Callable[[str, Sequence[str]], list[float]]


def rapidfuzz_scorer(ratio: Callable[..., float]) -> Scorer:
    def scores(query: str, texts: Sequence[str]) -> list[float]:
        return [ratio(query, text, processor=default_process) for text in texts]

    return scores


def bm25(query: str, texts: Sequence[str]) -> list[float]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
    db.executemany("INSERT INTO t(rowid, text) VALUES (?, ?)", enumerate(texts))
    words = " OR ".join(f'"{w}"' for w in re.findall(r"\w+", query.lower()))
    found = dict(db.execute("SELECT rowid, -bm25(t) FROM t WHERE t MATCH ?", (words,)))
    return [found.get(i, 0.0) for i in range(len(texts))]


def tfidf(query: str, texts: Sequence[str]) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-not-found]
    from sklearn.metrics.pairwise import cosine_similarity  # type: ignore[import-not-found]

    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit([*texts, query])
    return list(cosine_similarity(vectors.transform([query]), vectors.transform(texts))[0])


def measure(scorer: Scorer, refs: list[str], texts: list[str]) -> dict[str, float]:
    ranks = []
    for wanted, query in REWORDED.items():
        scores = scorer(query, texts)
        order = sorted(range(len(texts)), key=lambda i: -scores[i])
        ranks.append(1 + [refs[i] for i in order].index(wanted))
    return {
        "top1": sum(r == 1 for r in ranks) / len(ranks),
        "top3": sum(r <= 3 for r in ranks) / len(ranks),
        "mrr": round(statistics.mean(1 / r for r in ranks), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.similar")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    recommendations = read_document(SEED)[0].recommendations
    refs = [r.ref for r in recommendations] + [f"other/{n}" for n in range(len(OTHERS))]
    texts = [r.text for r in recommendations] + OTHERS
    methods: dict[str, Scorer] = {
        "rapidfuzz token_set_ratio": rapidfuzz_scorer(fuzz.token_set_ratio),
        "rapidfuzz token_sort_ratio": rapidfuzz_scorer(fuzz.token_sort_ratio),
        "rapidfuzz WRatio": rapidfuzz_scorer(fuzz.WRatio),
        "BM25 (SQLite FTS5, Porter)": bm25,
    }
    try:
        import sklearn  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    else:
        methods["TF-IDF cosine (scikit-learn)"] = tfidf
    result = {name: measure(scorer, refs, texts) for name, scorer in methods.items()}
    result["queries"] = len(REWORDED)  # type: ignore[assignment]
    result["candidates"] = len(texts)  # type: ignore[assignment]
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
