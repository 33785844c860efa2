"""The speed shortcuts in ``prepare`` and ``equal_shares`` agree with the plain computations."""

from __future__ import annotations

import importlib
import itertools
from fractions import Fraction

import numpy as np
import pytest

from budgeting.tally.types import _canonical_rows
from budgeting.tally.types import _merge_identical

mes = importlib.import_module("budgeting.tally.equal_shares")


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
def test_accurate_sum_small_and_large_paths(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.random(n) * 10.0 ** rng.integers(-5, 5, n)
    exact = sum((Fraction(float(v)) for v in values), Fraction(0))
    got = mes._accurate_sum(values)
    bound = 4 * (np.log2(n + 2) + 4) ** 2 * mes._U**2 * float(np.abs(values).sum())
    assert abs(got - exact) <= Fraction(bound) + Fraction(1, 10**300)
