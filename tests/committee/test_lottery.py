"""The lottery, pure: reproducible from the published files and seed, refusals with numbers,
quotas that hold for random applicant pools (Hypothesis)."""

import random

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from committee.lottery import Applicant
from committee.lottery import DrawRefused
from committee.lottery import QuotaSpec
from committee.lottery import applicant_table_csv
from committee.lottery import draw
from committee.lottery import effective_quotas
from committee.lottery import next_reserve
from committee.lottery import panel_meets_quotas
from committee.lottery import quota_table_csv
from committee.lottery import read_applicant_table
from committee.lottery import read_quota_table

DISTRICTS = ["jung-gu", "dong-gu", "seo-gu", "bupyeong-gu"]
BANDS = ["19-39", "40-59", "60+"]


def pool(n: int, seed: int = 1) -> list[Applicant]:
    rng = random.Random(seed)
    return [
        Applicant(
            public_id=f"A{i:04d}",
            district=rng.choice(DISTRICTS),
            gender=rng.choice(["woman", "man"]),
            age_band=rng.choice(BANDS),
            custom="yes" if rng.random() < 0.3 else "no",
        )
        for i in range(1, n + 1)
    ]


SEOUL_LIKE = [
    *(QuotaSpec("district", d, 0, 8) for d in DISTRICTS),
    QuotaSpec("gender", "woman", 12, 12),
    QuotaSpec("gender", "man", 12, 12),
    *(QuotaSpec("age_band", b, 8, 8) for b in BANDS),
    QuotaSpec("custom", "yes", 4, 24),
]


def test_the_published_table_quotas_and_seed_give_the_same_panel_and_reserves():
    applicants = pool(120)
    first = draw(applicants, SEOUL_LIKE, seats=24, reserves=10, seed="b4f1c0de")
    # what anyone downloads: the two CSV files, and the seed revealed at the draw
    table, quotas = applicant_table_csv(applicants), quota_table_csv(SEOUL_LIKE)
    again = draw(
        read_applicant_table(table),
        read_quota_table(quotas),
        seats=24,
        reserves=10,
        seed="b4f1c0de",
    )
    assert again.panel == first.panel
    assert again.reserves == first.reserves
    assert len(first.panel) == 24
    assert not panel_meets_quotas([a for a in applicants if a.public_id in first.panel], SEOUL_LIKE)


def test_another_seed_draws_another_panel():
    applicants = pool(120)
    one = draw(applicants, SEOUL_LIKE, seats=24, reserves=0, seed="seed-one")
    two = draw(applicants, SEOUL_LIKE, seats=24, reserves=0, seed="seed-two")
    assert one.panel != two.panel


def test_the_table_order_does_not_change_the_panel():
    applicants = pool(80)
    shuffled = list(applicants)
    random.Random(5).shuffle(shuffled)
    quotas = [QuotaSpec("gender", "woman", 10, 10), QuotaSpec("gender", "man", 10, 10)]
    assert (
        draw(applicants, quotas, seats=20, reserves=5, seed="s").panel
        == draw(shuffled, quotas, seats=20, reserves=5, seed="s").panel
    )


def test_an_impossible_quota_is_refused_with_which_quota_and_by_how_much():
    applicants = pool(60)
    women = sum(a.gender == "woman" for a in applicants)
    quotas = [QuotaSpec("gender", "woman", women + 3, women + 3), QuotaSpec("gender", "man", 0, 40)]
    with pytest.raises(DrawRefused) as refused:
        draw(applicants, quotas, seats=40, reserves=0, seed="x")
    shortfall = refused.value.shortfalls[0]
    assert (shortfall.kind, shortfall.feature, shortfall.value) == ("applicants", "gender", "woman")
    assert shortfall.needed == women + 3
    assert shortfall.available == women
    assert shortfall.missing == 3


def test_minimums_above_the_seats_are_refused_with_the_excess():
    quotas = [QuotaSpec("age_band", b, 5, 10) for b in BANDS]
    with pytest.raises(DrawRefused) as refused:
        draw(pool(60), quotas, seats=12, reserves=0, seed="x")
    [shortfall] = refused.value.shortfalls
    assert (shortfall.kind, shortfall.feature, shortfall.missing) == ("minimums", "age_band", 3)


def test_the_replacement_is_the_first_reserve_who_keeps_the_quotas():
    applicants = pool(60)
    quotas = [QuotaSpec("gender", "woman", 5, 5), QuotaSpec("gender", "man", 5, 5)]
    outcome = draw(applicants, quotas, seats=10, reserves=20, seed="r")
    by_id = {a.public_id: a for a in applicants}
    panel = [by_id[i] for i in outcome.panel]
    reserves = [by_id[i] for i in outcome.reserves]
    leaving = next(a for a in panel if a.gender == "woman")
    chosen = next_reserve(panel=panel, leaving=leaving.public_id, reserves=reserves, quotas=quotas)
    assert chosen is not None
    assert chosen.gender == "woman"
    assert chosen == next(r for r in reserves if r.gender == "woman")  # the first such reserve


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(min_value=20, max_value=90),
    seats=st.integers(min_value=4, max_value=20),
    pool_seed=st.integers(min_value=0, max_value=10_000),
    draw_seed=st.text(alphabet="0123456789abcdef", min_size=4, max_size=16),
)
def test_quotas_hold_for_random_pools(size, seats, pool_seed, draw_seed):
    """Quotas derived from a feasible panel hidden in the pool: every draw meets them."""
    applicants = pool(size, pool_seed)
    seats = min(seats, size)
    hidden = random.Random(pool_seed).sample(applicants, seats)
    quotas = []
    for feature in ("gender", "age_band", "district"):
        counts: dict[str, int] = {}
        for a in hidden:
            counts[a.value(feature)] = counts.get(a.value(feature), 0) + 1
        for value, count in counts.items():
            quotas.append(QuotaSpec(feature, value, max(0, count - 1), count + 1))
    outcome = draw(applicants, quotas, seats=seats, reserves=3, seed=draw_seed)
    panel = [a for a in applicants if a.public_id in outcome.panel]
    assert len(panel) == seats
    assert panel_meets_quotas(panel, effective_quotas(applicants, quotas, seats)) == []
    assert set(outcome.reserves).isdisjoint(outcome.panel)
