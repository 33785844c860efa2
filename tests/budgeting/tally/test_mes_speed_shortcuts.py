"""The speed shortcuts in ``prepare`` and ``equal_shares`` (and its compiled loops in
``mes_kernels``) agree with the plain, exact computations."""

from __future__ import annotations

import importlib
import itertools
from fractions import Fraction

import numpy as np
import pytest

from budgeting.tally.types import _canonical_rows
from budgeting.tally.types import _merge_identical

mes = importlib.import_module("budgeting.tally.equal_shares")
kernels = importlib.import_module("budgeting.tally.mes_kernels")


def _random_rows(rng: np.random.Generator, n_rows: int, n_projects: int, max_pts: int):
    lengths = rng.integers(0, 5, n_rows)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    proj = np.concatenate(
        [rng.permutation(n_projects)[:k] for k in lengths.tolist()] + [np.zeros(0, np.int64)]
    ).astype(np.int64)
    pts = rng.integers(0, max_pts + 1, len(proj)).astype(np.int64)
    return indptr, proj, pts


def _plain_canonical(indptr, proj, pts):
    rows = []
    for i in range(len(indptr) - 1):
        entries = sorted(
            (int(q), int(x))
            for q, x in zip(
                proj[indptr[i] : indptr[i + 1]], pts[indptr[i] : indptr[i + 1]], strict=True
            )
            if x > 0
        )
        rows.append(entries)
    return rows


@pytest.mark.parametrize("seed", range(6))
def test_canonical_rows_sorted_or_not(seed: int) -> None:
    rng = np.random.default_rng(seed)
    indptr, proj, pts = _random_rows(rng, 300, 7, 3)
    new_ptr, new_proj, new_pts = _canonical_rows(indptr, proj, pts)
    got = [
        list(zip(new_proj[a:b].tolist(), new_pts[a:b].tolist(), strict=True))
        for a, b in itertools.pairwise(new_ptr.tolist())
    ]
    assert got == _plain_canonical(indptr, proj, pts)
    # already canonical input goes through the "no sort needed" path unchanged
    again = _canonical_rows(new_ptr, new_proj, new_pts)
    for x, y in zip(again, (new_ptr, new_proj, new_pts), strict=True):
        assert np.array_equal(x, y)


@pytest.mark.parametrize("seed", range(3))
def test_canonical_rows_key_path_equals_lexsort_path(seed: int, monkeypatch) -> None:
    rng = np.random.default_rng(50 + seed)
    indptr, proj, pts = _random_rows(rng, 300, 7, 3)
    fast = _canonical_rows(indptr, proj, pts)
    monkeypatch.setattr("budgeting.tally.types._SORT_KEY_LIMIT", 0)
    slow = _canonical_rows(indptr, proj, pts)
    for x, y in zip(fast, slow, strict=True):
        assert np.array_equal(x, y)


@pytest.mark.parametrize("seed", range(6))
def test_merge_identical_key_path_equals_lexsort_path(seed: int, monkeypatch) -> None:
    rng = np.random.default_rng(100 + seed)
    indptr, proj, pts = _canonical_rows(*_random_rows(rng, 400, 5, 2))
    weights = rng.integers(1, 4, len(indptr) - 1).astype(np.int64)
    fast = _merge_identical(indptr, proj, pts, weights)
    monkeypatch.setattr("budgeting.tally.types._SORT_KEY_LIMIT", 0)
    slow = _merge_identical(indptr, proj, pts, weights)
    for x, y in zip(fast, slow, strict=True):
        assert np.array_equal(x, y)
    assert int(fast[3].sum()) == int(weights.sum())


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 511, 512, 513, 2000])
def test_pairwise_two_sum_within_its_bound(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.random(n) * 10.0 ** rng.integers(-5, 5, n)
    exact = sum((Fraction(float(v)) for v in values), Fraction(0))
    head, tail = kernels._pairwise_two_sum(values)
    bound = (np.log2(n + 2) + 4) ** 2 * mes._U**2 * float(np.abs(values).sum())
    assert abs(Fraction(head) + Fraction(tail) - exact) <= Fraction(bound) + Fraction(1, 10**300)


def _money(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Double-double money ``hi + lo`` of ``n`` groups (error bounds 0)."""
    hi = rng.random(n) * 100.0
    lo_err = np.zeros((n, 2))
    lo_err[:, 0] = hi * mes._U * (rng.random(n) - 0.5)
    return hi, lo_err


@pytest.mark.parametrize("approval", [True, False])
def test_charge_is_a_double_double_subtraction(approval: bool) -> None:
    rng = np.random.default_rng(7)
    n = 300
    b_hi, lo_err = _money(rng, n)
    before = [
        Fraction(float(h)) + Fraction(float(lo)) for h, lo in zip(b_hi, lo_err[:, 0], strict=True)
    ]
    rows = rng.permutation(n)[:200]
    poor = rng.random(200) < 0.2
    pts = np.ones(200) if approval else rng.integers(1, 11, 200).astype(np.float64)
    price = Fraction(3, 7)
    p_hi, p_lo = mes._dd(price)
    grown = kernels.charge(
        rows, b_hi[rows].copy(), poor, pts, approval, p_hi, p_lo, 1e-20, b_hi, lo_err
    )
    assert grown == 1e-20
    for i, g in enumerate(rows.tolist()):
        now = Fraction(float(b_hi[g])) + Fraction(float(lo_err[g, 0]))
        if poor[i]:
            assert now == before[g]
            continue
        exact = before[g] - (Fraction(p_hi) + Fraction(p_lo)) * int(pts[i])
        assert abs(b_hi[g]) >= abs(lo_err[g, 0]) / mes._U / 2  # normalised
        if exact <= 0:
            assert now == 0  # money that comes out negative is 0 up to rounding
        else:
            assert abs(now - exact) <= Fraction(16 * mes._U**2 * 100 * 10)


@pytest.mark.parametrize("seed", range(4))
def test_poor_price_within_its_bound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    b_hi, lo_err = _money(rng, n)
    lo_err[:, 1] = rng.random(n) * 1e-25
    rows = rng.permutation(n)
    bg = b_hi[rows]
    w = rng.integers(1, 50, n)
    pts = rng.integers(1, 5, n)
    poor = rng.random(n) < 0.5
    cost = int(bg[poor] @ w[poor]) + 1000
    sat_weight = int(w @ pts)
    ok, hi, lo, err = kernels.poor_price(
        rows, bg, poor, w.astype(np.float64), w * pts, lo_err, float(cost), sat_weight
    )
    assert ok
    held = sum(
        (
            (Fraction(float(bg[i])) + Fraction(float(lo_err[rows[i], 0]))) * int(w[i])
            for i in np.flatnonzero(poor)
        ),
        Fraction(0),
    )
    exact = (cost - held) / (sat_weight - int((w * pts)[poor].sum()))
    # the error column is a bound on each group's money, not part of it: still inside ``err``
    assert abs(Fraction(hi) + Fraction(lo) - exact) <= Fraction(err)
    assert err < 1e-24 * float(exact) + float((w * lo_err[rows, 1])[poor].sum())


@pytest.mark.parametrize("seed", range(6))
def test_evaluate_float_brackets_the_exact_price(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    bg = np.round(rng.random(n) * 50.0, 2)
    w = rng.integers(1, 20, n)
    pts = rng.integers(1, 4, n)
    sat_weight = int(w @ pts)
    cost = int(rng.integers(1, int(bg @ w) + 2))
    outcome, price, err, _, _ = kernels.evaluate_float(
        np.arange(n),
        pts.astype(np.float64),
        w.astype(np.float64),
        (w * pts).astype(np.float64),
        bg,
        False,
        float(cost),
        float(sat_weight),
        float(w.sum()),
        0.0,
        0.0,
        False,
    )
    # pabutools' loop in exact arithmetic
    money = [Fraction(float(x)) for x in bg]
    order = sorted(range(n), key=lambda i: money[i] / int(pts[i]))
    paid, w_rich, exact = Fraction(0), sat_weight, None
    for i in order:
        candidate = (cost - paid) / w_rich
        if candidate <= money[i] / int(pts[i]):
            exact = candidate
            break
        paid += money[i] * int(w[i])
        w_rich -= int(w[i]) * int(pts[i])
    if exact is None:
        assert outcome in (kernels.UNAFFORDABLE, kernels.CHECK_MONEY)
    elif outcome == kernels.NOBODY_SHORT:
        assert exact == Fraction(cost, sat_weight)
    elif outcome == kernels.PRICED:
        assert abs(Fraction(price) - exact) <= Fraction(err)
    else:
        assert outcome in (kernels.CHECK_MONEY, kernels.NO_FIXED_POINT)
