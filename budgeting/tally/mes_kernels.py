"""Compiled (numba) loops for the floating-point parts of ``equal_shares``.

Each function is one pass over a project's supporters that numpy would do in 10 to 30 separate
calls (gather, divide, compare, sum, scatter...). On small elections with many Add1 runs
(Częstochowa 2024: 366 runs of about 20 purchases over 100-supporter projects) the time went on
the overhead of those calls, not on arithmetic.

Nothing here decides anything: the functions compute the same floating-point quantities as the
numpy code they replace, with error bounds at least as tight as the ones ``equal_shares`` states
(sums of non-negative values are compensated, pairwise sums keep their rounding errors), and
every decision is still taken or confirmed by ``equal_shares`` with exact fractions.

Compiled on first use and cached next to this file (``cache=True``; numba falls back to
compiling in memory where that folder is read-only). Compiling takes a few seconds once per
machine; loading the cache takes a fraction of a second once per process.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_U = 2.0**-53
_SPLIT = 134217729.0  # 2**27 + 1

# ``evaluate_float`` outcomes
NOBODY_SHORT = 0  # the price is cost / satisfaction weight: every supporter can pay it
UNAFFORDABLE = 1  # the supporters' money is certainly below the cost
CHECK_MONEY = 2  # too close to call: compare the exact money with the cost, then call again
PRICED = 3  # price and error bound found by the poor/rich iteration
NO_FIXED_POINT = 4  # the iteration did not settle: use the sorted computation


@njit(cache=True, nogil=True)
def _two_sum(a: float, b: float) -> tuple[float, float]:
    total = a + b
    bb = total - a
    return total, (a - (total - bb)) + (b - bb)


@njit(cache=True, nogil=True)
def _iterate(  # noqa: PLR0917
    r: np.ndarray,
    bg: np.ndarray,
    wf: np.ndarray,
    wptsf: np.ndarray,
    cost: float,
    w_total: float,
    price: float,
) -> tuple[bool, float, float, float]:
    """pabutools' poor/rich iteration from ``price``: ``(settled, price, paid, w_rich)``.

    Those whose money per point is below the price pay all they have, the others share the rest
    of the cost; repeat with the new price until the poor set stops growing (at most 12 times).
    """
    n = len(r)
    n_poor = 0
    for i in range(n):
        if r[i] < price:
            n_poor += 1
    for _ in range(12):
        s = 0.0
        c = 0.0
        w_poor = 0.0
        for i in range(n):
            if r[i] < price:
                s, e = _two_sum(s, wf[i] * bg[i])
                c += e
                w_poor += wptsf[i]
        paid = s + c
        w_rich = w_total - w_poor
        if w_rich <= 0:
            break
        new_price = (cost - paid) / w_rich
        new_poor = 0
        for i in range(n):
            if r[i] < new_price:
                new_poor += 1
        # the next pass (if any) reads the poor set at the new price
        price = new_price
        if new_poor == n_poor:
            return True, price, paid, w_rich
        n_poor = new_poor
    return False, 0.0, 0.0, 0.0


@njit(cache=True, nogil=True)
def evaluate_float(  # noqa: PLR0917
    rows: np.ndarray,
    ptsf: np.ndarray,
    wf: np.ndarray,
    wptsf: np.ndarray,
    b_hi: np.ndarray,
    approval: bool,
    cost: float,
    w_total: float,
    mass: float,
    err_b: float,
    floor: float,
    money_checked: bool,
) -> tuple[int, float, float, np.ndarray, np.ndarray]:
    """The float part of ``_Engine.evaluate``: ``(outcome, price, error, money, money/point)``.

    Sums are compensated (Neumaier): for non-negative terms the error is at most
    ``(2u + O(n u**2))`` times the sum, inside the ``(40 + log2 n) u`` that ``evaluate``'s bound
    allows numpy's pairwise sums.
    """
    n = len(rows)
    bg = np.empty(n)
    r = np.empty(n)
    r_min = math.inf
    for i in range(n):
        v = b_hi[rows[i]]
        bg[i] = v
        x = v if approval else v / ptsf[i]
        r[i] = x
        r_min = min(r_min, x)
    price = cost / w_total
    if price * (1 + 4 * _U) < r_min * (1 - 4 * _U) - err_b:
        return NOBODY_SHORT, price, 4 * _U * price, bg, r
    gam = (40 + math.log2(n + 1)) * _U
    if not money_checked:
        s = 0.0
        c = 0.0
        for i in range(n):
            s, e = _two_sum(s, wf[i] * bg[i])
            c += e
        avail = s + c
        err_avail = err_b * mass + gam * avail + 1e-300
        if avail + err_avail < cost:
            return UNAFFORDABLE, 0.0, 0.0, bg, r
        if avail - err_avail < cost:
            return CHECK_MONEY, 0.0, 0.0, bg, r
    settled, price, paid, w_rich = _iterate(r, bg, wf, wptsf, cost, w_total, max(price, floor))
    if not settled:
        return NO_FIXED_POINT, 0.0, 0.0, bg, r
    err = 4 * (err_b * mass + gam * paid + _U * cost) / w_rich + 16 * _U * price
    return PRICED, price, err, bg, r


@njit(cache=True, nogil=True)
def classify(
    r: np.ndarray, lo: float, hi: float, margin_base: float
) -> tuple[np.ndarray, np.ndarray]:
    """Supporters surely paying all they have (mask), and those too close to call (indices).

    Same test as ``settle`` did with numpy: ``r +- (margin_base + 4u|r|)`` against ``lo, hi``.
    """
    n = len(r)
    sure_poor = np.zeros(n, dtype=np.bool_)
    amb = np.empty(n, dtype=np.int64)
    n_amb = 0
    for i in range(n):
        margin = margin_base + 4 * _U * abs(r[i])
        if r[i] + margin < lo:
            sure_poor[i] = True
        elif not r[i] - margin > hi:
            amb[n_amb] = i
            n_amb += 1
    return sure_poor, amb[:n_amb]


@njit(cache=True, nogil=True)
def _pairwise_two_sum(x: np.ndarray) -> tuple[float, float]:
    """``sum(x)`` as ``head + tail`` (like ``equal_shares._accurate_sum``'s large path).

    Pairwise TwoSum tree (padded to a power of two); each level's rounding errors are summed
    with compensation, so the result is within about ``(log2 n)**2 u**2 sum |x|``.
    """
    n = len(x)
    if n == 0:
        return 0.0, 0.0
    size = 1
    while size < n:
        size *= 2
    buf = np.zeros(size)
    buf[:n] = x
    tail = 0.0
    tail_c = 0.0
    while size > 1:
        half = size // 2
        for i in range(half):
            total, err = _two_sum(buf[2 * i], buf[2 * i + 1])
            buf[i] = total
            tail, e = _two_sum(tail, err)
            tail_c += e
        size = half
    return buf[0], tail + tail_c


@njit(cache=True, nogil=True)
def _two_prod(a: float, b: float) -> tuple[float, float]:
    """``a * b`` as ``p + e`` exactly (Dekker; no overflow here: prices and weights are small)."""
    p = a * b
    c = _SPLIT * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = _SPLIT * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


@njit(cache=True, nogil=True)
def poor_price(  # noqa: PLR0917
    rows: np.ndarray,
    bg: np.ndarray,
    sure_poor: np.ndarray,
    wf: np.ndarray,
    wpts: np.ndarray,
    lo_err: np.ndarray,
    cost: float,
    sat_weight: int,
) -> tuple[bool, float, float, float]:
    """Price per point when the supporters in ``sure_poor`` pay all they have, for ``settle``.

    Returns ``(ok, price_hi, price_lo, error)``: ``price_hi + price_lo`` is within ``error`` of
    ``(cost - what the poor hold) / (weight x points of the others)`` (``ok`` is False if
    nobody else is left to pay).

    What the poor hold is ``sum weight x (hi + lo)`` over them, known within the sum of their
    ``weight x error bound`` (``poor_err``). Each ``hi x weight`` is split exactly by Dekker's
    two_prod into ``prod + prod_err``; the ``prod`` are summed by a pairwise TwoSum tree into
    ``head + tail`` (within ``(log2 n)**2 u**2`` of their sum, see ``_pairwise_two_sum``), the
    low parts ``prod_err + lo x weight`` with compensation into ``rest`` (within ``4 u log n``
    of the sum of their sizes ``abs_rest``, generously). The division is done in double-double
    arithmetic: ``cost - head - tail - rest`` as ``n1 + e2 - (e1 + rest)`` (TwoSums, exact but
    for two roundings), then ``n1 / w`` with its exact remainder and a corrected second digit;
    ``delta`` bounds those few roundings (each at most ``u`` times a term of size ``u x price``,
    counted 8 times over).
    """
    n = len(rows)
    prod = np.empty(n)
    k = 0
    rest = 0.0
    rest_c = 0.0
    poor_err = 0.0
    abs_rest = 0.0
    w_poor = 0
    for i in range(n):
        if not sure_poor[i]:
            continue
        m = wf[i]
        a = bg[i]
        p = a * m
        c = _SPLIT * a
        a_hi = c - (c - a)
        a_lo = a - a_hi
        p_err = (a_hi * m - p) + a_lo * m
        g = rows[i]
        tail = lo_err[g, 0] * m
        prod[k] = p
        k += 1
        rest, e = _two_sum(rest, p_err + tail)
        rest_c += e
        poor_err += m * lo_err[g, 1]
        abs_rest += abs(p_err) + abs(tail)
        w_poor += wpts[i]
    w_rich = sat_weight - w_poor
    if w_rich <= 0:
        return False, 0.0, 0.0, 0.0
    rest += rest_c
    head, tail = _pairwise_two_sum(prod[:k])
    w = float(w_rich)
    s1, e1 = _two_sum(head, tail)
    t = e1 + rest
    n1, e2 = _two_sum(cost, -s1)
    n_lo = e2 - t
    q1 = n1 / w
    p, pe = _two_prod(q1, w)
    rem = (n1 - p) - pe  # exact: the remainder of a correctly rounded division
    q2 = (rem + n_lo) / w
    v_hi, v_lo = _two_sum(q1, q2)
    delta = 8 * _U * (abs(e2) + abs(e1) + abs(rest) + abs(rem) + abs(n_lo)) / w
    paid = s1 + t
    log_n = math.log2(k + 2) + 4
    err = (
        (
            poor_err * (1 + 4 * _U * (k + 2))
            + 4 * log_n * log_n * _U * _U * (paid + cost)
            + 4 * log_n * _U * abs_rest
        )
        / w
        + delta
        + 4 * _U * _U * abs(v_hi)
    )
    return True, v_hi, v_lo, err


@njit(cache=True, nogil=True)
def charge(  # noqa: PLR0917
    rows: np.ndarray,
    bg: np.ndarray,
    poor: np.ndarray,
    ptsf: np.ndarray,
    approval: bool,
    price_hi: float,
    price_lo: float,
    err_step: float,
    b_hi: np.ndarray,
    lo_err: np.ndarray,
) -> float:
    """Take ``price x points`` (double-double) from every supporter not in ``poor``.

    ``b_hi[g] + lo_err[g, 0]`` is group ``g``'s money; ``lo_err[g, 1]`` its error bound, which
    grows by ``err_step``. Money that comes out negative is exactly 0 up to rounding and is set
    to 0. Returns the largest error bound of a charged group (-inf if none).
    """
    grown_max = -math.inf
    c = _SPLIT * price_hi
    a_hi = c - (c - price_hi)
    a_lo = price_hi - a_hi
    for i in range(len(rows)):
        if poor[i]:
            continue
        if approval:
            x_hi = price_hi
            x_lo = price_lo
        else:
            pts = ptsf[i]
            x_hi = price_hi * pts
            x_lo = ((a_hi * pts - x_hi) + a_lo * pts) + price_lo * pts
        g = rows[i]
        top, top_err = _two_sum(bg[i], -x_hi)
        low = top_err + (lo_err[g, 0] - x_lo)
        new_hi = top + low
        new_lo = low - (new_hi - top)
        if new_hi < 0:
            new_hi = 0.0
            new_lo = 0.0
        b_hi[g] = new_hi
        lo_err[g, 0] = new_lo
        grown = lo_err[g, 1] + err_step
        lo_err[g, 1] = grown
        grown_max = max(grown_max, grown)
    return grown_max
