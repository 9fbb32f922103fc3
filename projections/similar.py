"""Said before (issue 29): the recommendations of other plans, which ``Queries.said_before``
ranks by rapidfuzz's token-set ratio against one recommendation's text.

On the labelled set of ``python -m bench.similar`` (12 reworded recommendations among 40) the
ratio ranked the intended one first in 11 of 12 (mean reciprocal rank 0.938); BM25 over
SQLite's FTS5 also 11 of 12 (0.958), TF-IDF with cosine similarity 10 of 12 (0.917). The
ratio gives the same answer on either database (BM25 is SQLite's alone). Its weakness: a
short text whose words all appear in the longer one scores as high as a close rewording."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from projections.tables import search_texts


@dataclass(frozen=True)
class Said:
    """Another plan's recommendation like the one asked about: how like (0-100), and what
    became of it (its status now; the days from raised to completed, once completed)."""

    plan: str
    ref: str
    text: str
    score: float
    status: str = ""
    days: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan, "ref": self.ref, "text": self.text,
            "score": round(self.score, 1), "status": self.status, "days": self.days,
        }  # fmt: skip


def other_recommendations(conn: Connection, plan_id: str) -> list[Said]:
    """Every recommendation of the plans other than ``plan_id``, with its text as known now
    (scored 0 until compared)."""
    rows = conn.execute(
        select(search_texts.c.plan_id, search_texts.c.ref, search_texts.c.text).where(
            search_texts.c.kind == "recommendation", search_texts.c.plan_id != plan_id
        )
    )
    return [Said(row.plan_id, row.ref, row.text, 0.0) for row in rows]
