"""CSV and JSON of a published result: one row per project on the ballot, nothing about voters."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from core.spreadsheets import safe_row


@dataclass(frozen=True)
class ResultRow:
    rank: int
    project_id: str
    title: str
    cost_won: int
    votes: int
    points: int
    score: str
    is_funded: bool
    reason_code: str
    reason_params: dict[str, Any]
    funded_by_greedy: bool | None  # None when there is no comparison run


CSV_COLUMNS = (
    "rank",
    "project_id",
    "title",
    "cost_won",
    "votes",
    "points",
    "score",
    "funded",
    "reason",
    "reason_details",
    "funded_by_greedy",
)


def write_results_csv(rows: list[ResultRow]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs show Hangul correctly; every text cell
    is formula-safe (``core.spreadsheets``)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            safe_row(
                [
                    row.rank,
                    row.project_id,
                    row.title,
                    row.cost_won,
                    row.votes,
                    row.points,
                    row.score,
                    "yes" if row.is_funded else "no",
                    row.reason_code,
                    json.dumps(row.reason_params, ensure_ascii=False, sort_keys=True),
                    ""
                    if row.funded_by_greedy is None
                    else ("yes" if row.funded_by_greedy else "no"),
                ]
            )
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_results_json(*, summary: dict[str, Any], rows: list[ResultRow]) -> bytes:
    document = {
        **summary,
        "projects": [
            {
                "rank": row.rank,
                "project_id": row.project_id,
                "title": row.title,
                "cost_won": row.cost_won,
                "votes": row.votes,
                "points": row.points,
                "score": row.score,
                "funded": row.is_funded,
                "reason": row.reason_code,
                "reason_details": row.reason_params,
                "funded_by_greedy": row.funded_by_greedy,
            }
            for row in rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
