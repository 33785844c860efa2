"""The committee lottery, pure: applicants and quotas in, a panel and ordered reserves out.

No Django here: anyone can re-run a draw from the published anonymised applicant table, the
quotas and the revealed seed with this module (or with ``sortition-algorithms`` directly) and
get the same panel. The panel is chosen by the Sortition Foundation's ``sortition-algorithms``
(its ``legacy`` algorithm by default, seeded); the reserves are the rest of the pool in an order
drawn from the same seed; a member who leaves is replaced by the first reserve that keeps every
quota.
"""

import csv
import hashlib
import io
import logging
import random
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from sortition_algorithms import Settings
from sortition_algorithms import read_in_features
from sortition_algorithms import read_in_people
from sortition_algorithms import run_stratification
from sortition_algorithms.utils import override_logging_handlers

FEATURES: tuple[str, ...] = ("district", "gender", "age_band", "custom")
TABLE_HEADER: tuple[str, ...] = ("applicant", *FEATURES)
ALGORITHMS: tuple[str, ...] = ("legacy", "maximin")

# The library prints every step of the draw to stdout; the record we keep is our own.
override_logging_handlers([logging.NullHandler()], [logging.NullHandler()])
for _name in ("sortition_algorithms", "sortition_algorithms_user"):
    logging.getLogger(_name).propagate = False


@dataclass(frozen=True)
class Applicant:
    """One row of the published, anonymised applicant table."""

    public_id: str
    district: str
    gender: str
    age_band: str
    custom: str  # "yes" / "no"

    def value(self, feature: str) -> str:
        value: str = getattr(self, feature)
        return value


@dataclass(frozen=True)
class QuotaSpec:
    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class Shortfall:
    """Why a draw is impossible: which quota, and by how much."""

    # "applicants": fewer applicants with the value than the quota's minimum
    # "minimums": the minimums of one attribute add up to more than the seats
    # "maximums": the maximums of one attribute add up to fewer than the seats
    # "pool": fewer applicants than seats
    # "infeasible": the library found no panel meeting every quota at once
    kind: str
    feature: str = ""
    value: str = ""
    needed: int = 0
    available: int = 0
    detail: str = ""

    @property
    def missing(self) -> int:
        return self.needed - self.available


class DrawRefused(Exception):  # noqa: N818 (a refusal, not a bug)
    def __init__(self, shortfalls: Sequence[Shortfall]) -> None:
        self.shortfalls = tuple(shortfalls)
        super().__init__("; ".join(f"{s.kind} {s.feature}={s.value}" for s in shortfalls))


@dataclass(frozen=True)
class DrawOutcome:
    panel: tuple[str, ...]  # public ids, sorted
    reserves: tuple[str, ...]  # public ids, in the order they are called
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # feature → value → seats


# --- the published inputs ------------------------------------------------------------------------
def applicant_table_csv(applicants: Iterable[Applicant]) -> str:
    """The anonymised applicant table, canonical: sorted by applicant number, LF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TABLE_HEADER)
    for a in sorted(applicants, key=lambda a: a.public_id):
        writer.writerow([a.public_id, a.district, a.gender, a.age_band, a.custom])
    return out.getvalue()


def read_applicant_table(text: str) -> list[Applicant]:
    """The inverse of ``applicant_table_csv`` (what a re-run reads from the download)."""
    rows = csv.DictReader(io.StringIO(text))
    return [
        Applicant(
            public_id=row["applicant"],
            district=row["district"],
            gender=row["gender"],
            age_band=row["age_band"],
            custom=row["custom"],
        )
        for row in rows
    ]


def quota_table_csv(quotas: Iterable[QuotaSpec]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "value", "min", "max"])
    for q in sorted(quotas, key=lambda q: (q.feature, q.value)):
        writer.writerow([q.feature, q.value, q.min, q.max])
    return out.getvalue()


def read_quota_table(text: str) -> list[QuotaSpec]:
    return [
        QuotaSpec(row["feature"], row["value"], int(row["min"]), int(row["max"]))
        for row in csv.DictReader(io.StringIO(text))
    ]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def seed_number(seed: str) -> int:
    """The library's integer seed from the published seed string (never 0: 0 means "secrets")."""
    return int(sha256_hex(seed)[:15], 16) + 1


# --- checks --------------------------------------------------------------------------------------
def effective_quotas(
    applicants: Sequence[Applicant], quotas: Sequence[QuotaSpec], seats: int
) -> list[QuotaSpec]:
    """The quotas the draw uses: an attribute with any quota gets "0 to all seats" for every
    value an applicant has that has no quota of its own; attributes without quotas are unused."""
    given = {(q.feature, q.value): q for q in quotas}
    used = {q.feature for q in quotas}
    result = list(given.values())
    for feature in sorted(used):
        for value in sorted({a.value(feature) for a in applicants}):
            if (feature, value) not in given:
                result.append(QuotaSpec(feature, value, 0, seats))
    return sorted(result, key=lambda q: (q.feature, q.value))


def find_shortfalls(
    applicants: Sequence[Applicant], quotas: Sequence[QuotaSpec], seats: int
) -> list[Shortfall]:
    """Every reason the quotas cannot be met, each with the numbers (empty: go ahead)."""
    problems: list[Shortfall] = []
    if len(applicants) < seats:
        problems.append(Shortfall("pool", needed=seats, available=len(applicants)))
    counts = {f: Counter(a.value(f) for a in applicants) for f in FEATURES}
    by_feature: dict[str, list[QuotaSpec]] = {}
    for q in effective_quotas(applicants, quotas, seats):
        by_feature.setdefault(q.feature, []).append(q)
        available = counts[q.feature][q.value]
        if available < q.min:
            problems.append(Shortfall("applicants", q.feature, q.value, q.min, available))
    for feature, rows in by_feature.items():
        minimums = sum(q.min for q in rows)
        if minimums > seats:
            problems.append(Shortfall("minimums", feature, needed=minimums, available=seats))
        # a value nobody has can take no seat, whatever its maximum
        maximums = sum(min(q.max, counts[feature][q.value]) for q in rows)
        if maximums < seats:
            problems.append(Shortfall("maximums", feature, needed=seats, available=maximums))
    return problems


def panel_meets_quotas(panel: Iterable[Applicant], quotas: Iterable[QuotaSpec]) -> list[QuotaSpec]:
    """The quotas ``panel`` breaks (empty: it meets them all)."""
    members = list(panel)
    counts = {f: Counter(a.value(f) for a in members) for f in FEATURES}
    return [q for q in quotas if not q.min <= counts[q.feature][q.value] <= q.max]


# --- the draw ------------------------------------------------------------------------------------
def draw(
    applicants: Sequence[Applicant],
    quotas: Sequence[QuotaSpec],
    *,
    seats: int,
    reserves: int,
    seed: str,
    algorithm: str = "legacy",
) -> DrawOutcome:
    """Draw ``seats`` members meeting ``quotas`` and order ``reserves`` reserves, from ``seed``.

    Raises ``DrawRefused`` with the shortfalls when the quotas cannot be met.
    """
    if not seed:
        raise ValueError("a draw needs its seed")
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    pool = sorted(applicants, key=lambda a: a.public_id)
    if len({a.public_id for a in pool}) != len(pool):
        raise ValueError("applicant numbers must be unique")
    problems = find_shortfalls(pool, quotas, seats)
    if problems:
        raise DrawRefused(problems)
    specs = effective_quotas(pool, quotas, seats)
    used = sorted({q.feature for q in specs})
    by_id = {a.public_id: a for a in pool}
    if used:
        panel_ids = _stratified(pool, specs, used, seats=seats, seed=seed, algorithm=algorithm)
    else:  # no quota at all: a plain lottery from the same seed
        panel_ids = sorted(random.Random(seed_number(seed)).sample(sorted(by_id), seats))  # noqa: S311
    broken = panel_meets_quotas((by_id[i] for i in panel_ids), specs)
    if broken:  # never expected: the library promises its panels meet the quotas
        raise DrawRefused(
            [Shortfall("infeasible", q.feature, q.value, q.min, q.max) for q in broken]
        )
    rest = sorted(set(by_id) - set(panel_ids))
    # reserves: the rest of the pool in an order drawn from the same seed (a second stream)
    random.Random(seed_number(seed + ":reserves")).shuffle(rest)  # noqa: S311
    counts = {
        f: dict(sorted(Counter(by_id[i].value(f) for i in panel_ids).items())) for f in FEATURES
    }
    return DrawOutcome(
        panel=tuple(sorted(panel_ids)), reserves=tuple(rest[:reserves]), counts=counts
    )


def _stratified(
    pool: Sequence[Applicant],
    specs: Sequence[QuotaSpec],
    used: Sequence[str],
    *,
    seats: int,
    seed: str,
    algorithm: str,
) -> list[str]:
    feature_rows = [
        {"feature": q.feature, "value": q.value, "min": str(q.min), "max": str(q.max)}
        for q in specs
    ]
    try:
        features, _, _ = read_in_features(["feature", "value", "min", "max"], feature_rows, seats)
    except Exception as error:  # the library's own check of minimums/maximums against seats
        raise DrawRefused([Shortfall("infeasible", detail=str(error))]) from error
    settings = Settings(
        id_column="applicant",
        columns_to_keep=[],
        selection_algorithm=algorithm,
        random_number_seed=seed_number(seed),
        max_attempts=100,
    )
    people_rows = [{"applicant": a.public_id, **{f: a.value(f) for f in used}} for a in pool]
    people, _ = read_in_people(["applicant", *used], people_rows, features, settings)
    ok, panels, report = run_stratification(features, people, seats, settings)
    if not ok or not panels:
        last = report.last_error()
        raise DrawRefused([Shortfall("infeasible", detail=str(last or report.as_text()))])
    return sorted(panels[0])


# --- replacement ---------------------------------------------------------------------------------
def next_reserve(
    *,
    panel: Sequence[Applicant],
    leaving: str,
    reserves: Sequence[Applicant],
    quotas: Sequence[QuotaSpec],
) -> Applicant | None:
    """The first reserve (in order) whose joining, after ``leaving`` goes, keeps every quota."""
    staying = [a for a in panel if a.public_id != leaving]
    for candidate in reserves:
        if not panel_meets_quotas([*staying, candidate], quotas):
            return candidate
    return None
