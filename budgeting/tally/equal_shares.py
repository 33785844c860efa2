"""The Method of Equal Shares (MES) with the Add1 loop and greedy completion.

In plain words:

1. The budget is split equally: every voter gets the same share ``budget / number of voters``
   (empty ballots count too).
2. A project can be bought only with the shares of its supporters. Among the projects that
   their supporters can still afford, buy the one that is cheapest *per unit of satisfaction*:
   a supporter's satisfaction is the project's cost times the points they gave it (cost
   satisfaction: for approval ballots it is simply the cost). The price is split so that each
   supporter pays the same amount per point, except supporters with less money left, who pay all
   they have. Repeat until no project can be afforded by its supporters.
3. Add1: if money is left over in a way that another project would still fit in the real budget,
   redo everything with every share raised by 1 currency unit (``mes_budget_increment``), and so
   on, until the outcome uses the budget up (no remaining project fits), or would overspend (then
   the previous outcome is kept).
4. Completion (``mes_completion="greedy"``): what is still left is spent by the greedy rule
   (highest score first, skipping what does not fit).

This is exactly pabutools 1.2.3's ``completion_by_rule_combination`` of
``method_of_equal_shares(sat_class=Cost_Sat, voter_budget_increment=1)`` (points x cost
satisfaction for cumulative and ordinal ballots) followed by ``greedy_utilitarian_welfare``, which
is what Pabulib and equalshares.net call "Add1 then greedy". Details that matter for identical
results:

* the price of a project is its "affordability" ``rho``: the smallest ``rho`` such that
  ``sum over supporters of min(their money, rho x satisfaction) = cost``; the project with the
  smallest ``rho`` is bought; exact ties go to the tie-break (``ties.py``; pabutools: smallest id);
* a project is dropped for good once its supporters' money is below its cost;
* free projects (cost 0) give no cost satisfaction, so MES ignores them and the greedy
  completion funds them (last, as they score 0 there too);
* Add1 stops when the outcome leaves no *supported* project that still fits the real budget.

Implementation: identical ballots are merged into weighted groups; every project's price is
computed over its supporters with numpy in floating point together with a rigorous error bound,
and every decision (which project is cheapest, exact ties, who pays all they have, whether
supporters can afford a project) is taken or confirmed with exact fractions. Voters who paid all
they have hold exactly 0; every other voter holds exactly ``share - sum(price x points)`` over the
projects they paid for, so exact sums over many voters reduce to a few fractions times integer
counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from budgeting.tally import mes_kernels as kernels
from budgeting.tally.greedy import density_order
from budgeting.tally.greedy import eligibility
from budgeting.tally.greedy import greedy_pass
from budgeting.tally.greedy import ineligibility_reason
from budgeting.tally.ties import tie_ranks
from budgeting.tally.types import Prepared
from budgeting.tally.types import ProjectResult
from budgeting.tally.types import TallyInput
from budgeting.tally.types import TallyOutcome
from budgeting.tally.types import prepare

_U = 2.0**-53  # unit roundoff of float64


_NEVER = np.iinfo(np.int64).max
# A bought project's price is made exact at once if its (double-double) error could move a
# voter's money by more than this fraction of the voter share.
_EXACT_ABOVE = 2.0**-60
_SMALL_INT = 2.0**26  # weights and points below this multiply exactly in two_prod


def _dd(value: Fraction) -> tuple[float, float]:
    """A fraction as a double-double ``hi + lo``."""
    hi = float(value)
    return hi, float(value - Fraction(hi))


@dataclass(slots=True)
class _State:
    """The changing part of one MES run at voter share ``beta``.

    Voters of group ``g`` hold ``b_hi[g] + b_lo[g]`` (double-double, within ``err_group[g]`` of
    the exact value; ``err_budget`` is the largest of those bounds, and ``b_hi`` alone is within
    ``err_budget + 1.01 u beta``). Per-group bounds matter: a price's error comes from the money
    of those who pay all they have, whose error then drops to 0, so the total error stays put
    instead of compounding round after round.
    ``b_lo`` and ``err_group`` are the two columns of one ``(groups, 2)`` array, ``lo_err``: they
    are always read and written together (by the compiled loops of ``mes_kernels``).
    Exact values are never stored per voter: a group exhausted at round ``exh_round[g]`` holds
    exactly 0 from then on, any other group holds exactly ``beta - sum(price[q] x points)`` over the
    bought projects ``q`` it supports. Exact prices are computed only when a decision needs them,
    from ``recipe[q] = (round, groups exhausted in that round, weight of the others)``.
    """

    beta: Fraction
    beta_f: float
    b_hi: np.ndarray
    lo_err: np.ndarray
    err_budget: float
    exh_round: np.ndarray
    sel_round: np.ndarray
    price: dict[int, Fraction | None]
    recipe: dict[int, tuple[int, np.ndarray, int]]
    round: int = 0


@dataclass(slots=True)
class MesRun:
    """One run of MES at a fixed voter share ``beta``."""

    beta: Fraction
    selected: list[int]
    total_cost: int
    feasible: bool
    state: _State
    evaluations: int = 0


class _Engine:
    """Static arrays for repeated MES runs on one election, plus the current run's state."""

    def __init__(self, prep: Prepared, tie_rank: np.ndarray) -> None:
        self.prep = prep
        self.tie_rank = tie_rank
        self.costs = prep.costs
        self.n_projects = prep.n_projects
        self.row_ptr = prep.row_ptr
        self.row_proj = prep.row_proj
        self.row_pts = prep.row_pts
        self.weights = prep.weights
        self.col_ptr = prep.col_ptr
        self.col_rows = prep.col_rows
        self.col_pts = prep.col_pts
        self.col_w = prep.weights[prep.col_rows]
        self.col_wpts = self.col_w * self.col_pts
        self.col_wf = self.col_w.astype(np.float64)
        self.col_ptsf = self.col_pts.astype(np.float64)
        self.col_wptsf = self.col_wpts.astype(np.float64)
        self.approval = bool(len(self.col_pts) == 0 or self.col_pts.max() == 1)
        seg = self.col_ptr
        csum_wp = np.concatenate(([0], np.cumsum(self.col_wpts)))
        csum_w = np.concatenate(([0], np.cumsum(self.col_w)))
        self.sat_weight = [int(x) for x in csum_wp[seg[1:]] - csum_wp[seg[:-1]]]
        self.mass_int = [int(x) for x in csum_w[seg[1:]] - csum_w[seg[:-1]]]
        self.mass = [float(x) for x in self.mass_int]
        self.max_pts = [
            int(self.col_pts[seg[i] : seg[i + 1]].max()) if seg[i + 1] > seg[i] else 0
            for i in range(self.n_projects)
        ]
        self.max_row_len = max(prep.max_row_len, 1)
        self.cp = [int(x) for x in seg]  # col_ptr as Python ints (cheaper to index)
        # the price per point when nobody is short of money, exact and as a double-double
        self.base_price = [
            Fraction(c, w) if w > 0 else None
            for c, w in zip(self.costs, self.sat_weight, strict=True)
        ]
        self.base_dd = [_dd(x) if x is not None else (0.0, 0.0) for x in self.base_price]
        # two_prod needs small integers; otherwise every price is made exact (slower, still right)
        self.small_ints = bool(
            (len(self.weights) == 0 or self.weights.max() < _SMALL_INT)
            and (len(self.col_pts) == 0 or self.col_pts.max() < _SMALL_INT)
        )
        self._neighbours: dict[int, np.ndarray] = {}
        # ``seen[p]``: the supporters' money ``b_hi`` (and money per point) read by the last
        # evaluation of ``p`` in the current run. It stays valid while ``p`` is not dirty: a
        # purchase marks dirty every project sharing a supporter with it (``neighbours``), and
        # nothing else changes anyone's money. ``settle`` and ``_buy`` reuse it instead of
        # gathering the same values again.
        self.seen: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.s = self.new_state(Fraction(0))

    def new_state(self, beta: Fraction) -> _State:
        n_groups = len(self.weights)
        beta_f = float(beta)
        lo_err = np.empty((n_groups, 2))
        lo_err[:, 0] = float(beta - Fraction(beta_f))
        lo_err[:, 1] = 4 * _U * _U * beta_f
        return _State(
            beta=beta,
            beta_f=beta_f,
            b_hi=np.full(n_groups, beta_f),
            lo_err=lo_err,
            err_budget=4 * _U * _U * beta_f,
            exh_round=np.full(n_groups, _NEVER, dtype=np.int64),
            sel_round=np.full(self.n_projects, _NEVER, dtype=np.int64),
            price={},
            recipe={},
        )

    def neighbours(self, p: int) -> np.ndarray:
        """Projects sharing at least one supporter with ``p`` (cached across runs)."""
        found = self._neighbours.get(p)
        if found is None:
            rows = self.col_rows[self.col_ptr[p] : self.col_ptr[p + 1]]
            _, ent = self._row_entries(rows)
            found = np.flatnonzero(np.bincount(self.row_proj[ent], minlength=self.n_projects))
            self._neighbours[p] = found
        return found

    # -- exact helpers -------------------------------------------------------------------------

    def _row_entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index into ``rows``, entry index in the row arrays) for all entries of ``rows``."""
        starts = self.row_ptr[rows]
        lens = self.row_ptr[rows + 1] - starts
        total = int(lens.sum())
        rep = np.repeat(np.arange(len(rows)), lens)
        offsets = np.cumsum(lens) - lens
        ent = np.arange(total, dtype=np.int64) - np.repeat(offsets, lens) + np.repeat(starts, lens)
        return rep, ent

    def price_of(self, q: int) -> Fraction:
        """Exact price per point of the bought project ``q`` (computed on first use)."""
        s = self.s
        found = s.price[q]
        if found is None:
            t, newly, w_rich = s.recipe[q]
            found = (self.costs[q] - self.exact_money(newly, t)) / w_rich
            s.price[q] = found
        return found

    def exact_money(self, rows: np.ndarray, at_round: int | None = None) -> Fraction:
        """Exact total money held by the groups ``rows`` at the start of round ``at_round``."""
        s = self.s
        t = s.round if at_round is None else at_round
        rows = rows[s.exh_round[rows] >= t]
        if len(rows) == 0:
            return Fraction(0)
        total = s.beta * int(self.weights[rows].sum())
        if t == 0:
            return total
        rep, ent = self._row_entries(rows)
        q = self.row_proj[ent]
        sel = s.sel_round[q] < t
        if not sel.any():
            return total
        q = q[sel]
        amount = self.weights[rows][rep[sel]] * self.row_pts[ent][sel]
        order = np.argsort(q, kind="stable")
        q, amount = q[order], amount[order]
        bounds = np.flatnonzero(np.concatenate(([True], q[1:] != q[:-1])))
        sums = np.add.reduceat(amount, bounds)
        for proj, count in zip(q[bounds].tolist(), sums.tolist(), strict=True):
            total -= self.price_of(proj) * count
        return total

    def exact_budget(self, g: int) -> Fraction:
        """Exact money of one voter of group ``g`` now."""
        s = self.s
        if s.exh_round[g] != _NEVER:
            return Fraction(0)
        value = s.beta
        for j in range(int(self.row_ptr[g]), int(self.row_ptr[g + 1])):
            q = int(self.row_proj[j])
            if s.sel_round[q] != _NEVER:
                value -= self.price_of(q) * int(self.row_pts[j])
        return value

    # -- float evaluation ----------------------------------------------------------------------

    def evaluate(self, p: int, floor: float = 0.0) -> tuple[float, float, Fraction | None] | None:
        """Float price per point of ``p`` with an error bound, or None if unaffordable.

        Returns ``(price, error, exact)``; ``exact`` is the exact price when it is known for sure
        (nobody is short of money), else None. The price is found with pabutools' "poor/rich"
        iteration: assume nobody is short, mark those who cannot pay that much as paying all
        they have, recompute, until stable (each step only adds voters; falls back to a sort).

        ``floor`` is a lower bound on the price (from an earlier evaluation: prices only rise as
        money is spent). The iteration may start from any price ``x`` not above the true price
        ``P``: then ``x <= g(x) <= P`` for the step ``g``, so it still climbs to ``P``, and it
        stops only at a price consistent with its own poor set, which is all the error bound
        below assumes. Starting higher only saves steps.
        """
        s = self.s
        lo_i, hi_i = self.cp[p], self.cp[p + 1]
        rows = self.col_rows[lo_i:hi_i]
        cost = self.costs[p]
        err_b = s.err_budget + 1.01 * _U * s.beta_f
        args = (
            rows,
            self.col_ptsf[lo_i:hi_i],
            self.col_wf[lo_i:hi_i],
            self.col_wptsf[lo_i:hi_i],
            s.b_hi,
            self.approval,
            float(cost),
            float(self.sat_weight[p]),
            self.mass[p],
            err_b,
            floor,
        )
        outcome, price, err, bg, r = kernels.evaluate_float(*args, False)
        self.seen[p] = (bg, r)
        if outcome == kernels.NOBODY_SHORT:
            return price, err, self.base_price[p]
        if outcome == kernels.UNAFFORDABLE:
            return None
        if outcome == kernels.CHECK_MONEY:
            if self.exact_money(rows) < cost:
                return None
            outcome, price, err, bg, r = kernels.evaluate_float(*args, True)
        if outcome == kernels.PRICED:
            return price, err, None
        # the iteration did not settle: sort (pabutools' own loop, vectorised)
        n = hi_i - lo_i
        money = self.col_wf[lo_i:hi_i] * bg
        order = np.argsort(r, kind="stable")
        ms = money[order]
        ws = self.col_wptsf[lo_i:hi_i][order]
        cm = np.cumsum(ms)
        before = cm - ms
        w_rest = float(self.sat_weight[p]) - (np.cumsum(ws) - ws)
        with np.errstate(divide="ignore", invalid="ignore"):
            prices = (cost - before) / w_rest
        ok = prices <= r[order]
        k = int(np.argmax(ok)) if ok.any() else n - 1
        price = float(prices[k])
        paid, w_rich = float(cm[-1]), float(w_rest[k])
        gam = (n + 8) * _U
        if not math.isfinite(price) or w_rich <= 0:
            return float("nan"), float("inf"), None
        err = 4 * (err_b * self.mass[p] + gam * paid + _U * cost) / w_rich + 16 * _U * price
        return price, err, None

    def settle(
        self, p: int, price_f: float, err: float, known: Fraction | None, *, need_exact: bool
    ) -> tuple[tuple[float, float], float, Fraction | None, np.ndarray]:
        """Certify who pays all they have for ``p`` and pin its price down.

        Returns ``(price as double-double, error, exact price or None, mask of supporters paying
        all)``. The exact price is computed only if ``need_exact`` or some supporter is too close
        to call; otherwise the price is recomputed in double-double precision.
        """
        lo_i, hi_i = self.cp[p], self.cp[p + 1]
        if known is not None:
            known_dd = self.base_dd[p] if known is self.base_price[p] else _dd(known)
            return known_dd, _U * _U * known_dd[0], known, np.zeros(hi_i - lo_i, dtype=bool)
        s = self.s
        rows = self.col_rows[lo_i:hi_i]
        pts = self.col_pts[lo_i:hi_i]
        cost = self.costs[p]
        if math.isfinite(price_f) and math.isfinite(err):
            bg, r = self.seen[p]
            lo, hi = price_f - err, price_f + err
            sure_poor, amb = kernels.classify(r, lo, hi, s.err_budget + 1.01 * _U * s.beta_f)
            if len(amb) == 0 and not need_exact and self.small_ints:
                ok, v_hi, v_lo, dd_err = kernels.poor_price(
                    rows,
                    bg,
                    sure_poor,
                    self.col_wf[lo_i:hi_i],
                    self.col_wpts[lo_i:hi_i],
                    s.lo_err,
                    float(cost),
                    self.sat_weight[p],
                )
                if ok:
                    return (v_hi, v_lo), dd_err, None, sure_poor
            result = self._solve(p, rows, pts, sure_poor=sure_poor, amb=amb, cost=cost)
            if result is not None:
                price, poor = result
                if lo <= float(price) <= hi:
                    return _dd(price), _U * _U * float(price), price, poor
        # Fallback: everything exact (slow; only if the float bounds were not good enough).
        everyone = np.arange(hi_i - lo_i)
        result = self._solve(
            p, rows, pts, sure_poor=np.zeros(hi_i - lo_i, dtype=bool), amb=everyone, cost=cost
        )
        if result is None:  # pragma: no cover - would mean the project was unaffordable
            raise AssertionError("exact MES price could not be found")
        price, poor = result
        return _dd(price), _U * _U * float(price), price, poor

    def _solve(
        self,
        p: int,
        rows: np.ndarray,
        pts: np.ndarray,
        *,
        sure_poor: np.ndarray,
        amb: np.ndarray,
        cost: int,
    ) -> tuple[Fraction, np.ndarray] | None:
        """pabutools' loop over the too-close-to-call supporters, in exact arithmetic."""
        lo_i, hi_i = self.cp[p], self.cp[p + 1]
        col_w = self.col_w[lo_i:hi_i]
        paid_all = self.exact_money(rows[sure_poor])
        w_rich = self.sat_weight[p] - int(self.col_wpts[lo_i:hi_i][sure_poor].sum())
        cand = []
        for j in amb.tolist():
            bud = self.exact_budget(int(rows[j]))
            cand.append((bud / int(pts[j]), j, bud))
        cand.sort(key=lambda x: x[0])
        poor = sure_poor.copy()
        for ratio, j, bud in cand:
            if w_rich <= 0:
                return None
            price = (cost - paid_all) / w_rich
            if price <= ratio:
                return price, poor
            poor[j] = True
            paid_all += int(col_w[j]) * bud
            w_rich -= int(col_w[j]) * int(pts[j])
        if w_rich <= 0:
            return None
        return (cost - paid_all) / w_rich, poor

    # -- one run -------------------------------------------------------------------------------

    def run(self, beta: Fraction, candidates: list[int], budget_limit: int) -> MesRun:  # noqa: PLR0912, PLR0915
        """MES at voter share ``beta`` over the projects ``candidates``."""
        self.s = self.new_state(beta)
        self.seen = {}
        costs = self.costs
        lo = [0.0] * self.n_projects
        hi = [0.0] * self.n_projects
        price_f = [0.0] * self.n_projects
        err = [0.0] * self.n_projects
        known: list[Fraction | None] = [None] * self.n_projects
        for p in candidates:
            lo[p] = (1.0 / self.sat_weight[p]) * (1 - 4 * _U)
        dirty = np.ones(self.n_projects, dtype=bool)  # numpy: marked in bulk by ``_buy``
        # A project whose supporters hold less than its cost at the start can never be bought
        # (money only goes down): leave it out at once instead of finding that out by evaluating
        # it. Most unaffordable projects are of this kind (small ones, and all but a few in the
        # first Add1 runs).
        num, den = beta.numerator, beta.denominator
        mass = self.mass_int
        active = [p for p in candidates if num * mass[p] >= costs[p] * den]
        selected: list[int] = []
        total_cost = 0
        evaluations = 0
        while active:
            order = sorted(active, key=lo.__getitem__)
            best_hi = math.inf
            processed: list[int] = []
            removed: list[int] = []
            for p in order:
                if lo[p] > best_hi:
                    break
                if dirty[p]:
                    evaluations += 1
                    dirty[p] = False
                    res = self.evaluate(p, lo[p] * costs[p])
                    if res is None:
                        removed.append(p)
                        continue
                    price_f[p], err[p], known[p] = res
                    c = costs[p]
                    if math.isfinite(err[p]):
                        lo[p] = max(lo[p], (price_f[p] - err[p]) / c * (1 - 4 * _U))
                        hi[p] = (price_f[p] + err[p]) / c * (1 + 4 * _U)
                    else:
                        hi[p] = math.inf
                processed.append(p)
                best_hi = min(best_hi, hi[p])
            for p in removed:
                active.remove(p)
            if not processed:
                break
            cands = [p for p in processed if lo[p] <= best_hi]
            if len(cands) == 1:
                chosen = cands[0]
                settled = self.settle(
                    chosen, price_f[chosen], err[chosen], known[chosen], need_exact=False
                )
            else:
                best_key: tuple[Fraction, int] | None = None
                chosen = -1
                for p in cands:
                    res_p = self.settle(p, price_f[p], err[p], known[p], need_exact=True)
                    exact = res_p[2]
                    assert exact is not None
                    key = (exact / costs[p], int(self.tie_rank[p]))
                    if best_key is None or key < best_key:
                        best_key, settled, chosen = key, res_p, p
            self._buy(chosen, *settled, dirty=dirty)
            active.remove(chosen)
            selected.append(chosen)
            total_cost += costs[chosen]
            if total_cost > budget_limit:
                return MesRun(beta, selected, total_cost, False, self.s, evaluations)
        return MesRun(beta, selected, total_cost, True, self.s, evaluations)

    def _buy(
        self,
        p: int,
        price_dd: tuple[float, float],
        err: float,
        exact: Fraction | None,
        poor: np.ndarray,
        *,
        dirty: np.ndarray,
    ) -> None:
        """Record the purchase of ``p``.

        ``poor`` supporters pay all they have; the others pay the price per point times their
        points (``_charge``).
        """
        s = self.s
        lo_i, hi_i = self.cp[p], self.cp[p + 1]
        rows = self.col_rows[lo_i:hi_i]
        bg = self.seen[p][0]  # valid: ``p`` was evaluated and nothing it depends on changed since
        if poor.any():
            poor_rows = rows[poor]
            newly = poor_rows[s.exh_round[poor_rows] == _NEVER]
            w_rich = self.sat_weight[p] - int(self.col_wpts[lo_i:hi_i][poor].sum())
        else:
            newly = rows[:0]
            w_rich = self.sat_weight[p]
        s.recipe[p] = (s.round, newly, w_rich)
        s.price[p] = exact
        max_pts = self.max_pts[p]
        beta_f = s.beta_f
        if exact is None and (err * max_pts > _EXACT_ABOVE * beta_f or not self.small_ints):
            exact = self.price_of(p)
            price_dd, err = _dd(exact), _U * _U * float(exact)
        if len(newly):
            s.exh_round[newly] = s.round
            s.b_hi[newly] = 0.0
            s.lo_err[newly] = 0.0
        # the others pay the price per point times their points (double-double subtraction)
        grown = kernels.charge(
            rows,
            bg,
            poor,
            self.col_ptsf[lo_i:hi_i],
            self.approval,
            price_dd[0],
            price_dd[1],
            (err + 16 * _U * _U * beta_f) * max(max_pts, 1),
            s.b_hi,
            s.lo_err,
        )
        s.err_budget = max(s.err_budget, grown)
        s.sel_round[p] = s.round
        s.round += 1
        dirty[self.neighbours(p)] = True


def _add1(
    engine: _Engine, prep: Prepared, candidates: list[int], budget: int, increment: int
) -> tuple[MesRun | None, int]:
    """The Add1 loop. Returns the kept run (None = nothing bought) and the number of runs.

    Every increment is run, exactly like pabutools. Skipping increments would need a proof that
    the skipped outcomes are all feasible and not exhaustive; the one available (same sequence
    of purchases at both ends of a range, with the chosen project's price at the low end below
    every rival's price at the high end; voters' money is monotone in the share for a fixed
    sequence) rarely applies: on the Pabulib files and the 1M-ballot benchmark the sequence
    changes at most increments (e.g. 51 of 59 on Lodz 2022, 90 of 162 on Krakow 2024), so
    galloping with that proof would need more runs than it saves.
    """
    if prep.n_voters == 0 or not candidates:
        return None, 0
    beta = Fraction(budget, prep.n_voters)
    previous: MesRun | None = None
    runs = 0
    while True:
        run = engine.run(beta, candidates, budget)
        runs += 1
        if not run.feasible:
            return previous, runs
        chosen = set(run.selected)
        if all(p in chosen or run.total_cost + prep.costs[p] > budget for p in candidates):
            return run, runs
        previous = run
        beta += increment


def equal_shares(t: TallyInput) -> TallyOutcome:  # noqa: PLR0912
    """Method of Equal Shares, Add1, then (by default) greedy completion.

    Ranks: funded projects first, in the order they were bought (MES rounds, then completion),
    then the rest by score (as greedy would list them).
    """
    prep = prepare(t)
    ranks = tie_ranks(t.tie_break, t.lot_seed, prep.ids, prep.costs, prep.votes)
    eligible = eligibility(prep, t.min_project_score, t.min_project_votes)
    costs = prep.costs
    engine = _Engine(prep, ranks)
    # Free projects give no cost-satisfaction: like pabutools, MES ignores them and the greedy
    # completion funds them.
    candidates = [
        i
        for i in range(prep.n_projects)
        if eligible[i] and engine.sat_weight[i] > 0 and costs[i] > 0
    ]
    run, _ = _add1(engine, prep, candidates, t.budget, t.mes_budget_increment)

    selected: list[int] = []
    reasons: dict[int, tuple[str, dict[str, int | str]]] = {}
    if run is not None:
        engine.s = run.state
        for n, i in enumerate(run.selected, start=1):
            selected.append(i)
            reasons[i] = (
                "funded",
                {
                    "round": n,
                    "voter_share": str(run.beta),
                    "max_payment_per_point": str(engine.price_of(i)),
                },
            )
    else:
        engine.s = engine.new_state(
            Fraction(t.budget, prep.n_voters) if prep.n_voters else Fraction(0)
        )
    spent = sum(costs[i] for i in selected)

    # supporters' money at the end of the kept run, for the unfunded supported projects
    chosen = set(selected)
    money: dict[int, Fraction] = {}
    for i in candidates:
        if i not in chosen:
            s, e = int(prep.col_ptr[i]), int(prep.col_ptr[i + 1])
            money[i] = engine.exact_money(prep.col_rows[s:e])

    order = density_order(prep.scores, costs, ranks)
    completion_reasons: dict[int, tuple[str, dict[str, int | str]]] = {}
    if t.mes_completion == "greedy":
        remaining_eligible = [eligible[i] and i not in chosen for i in range(prep.n_projects)]
        extra, completion_reasons = greedy_pass(order, costs, t.budget - spent, remaining_eligible)
        for i in extra:
            selected.append(i)
            reasons[i] = ("funded_in_completion", completion_reasons[i][1])
    chosen = set(selected)
    share = str(engine.s.beta)
    for i in range(prep.n_projects):
        if i in chosen:
            continue
        if not eligible[i]:
            reasons[i] = ineligibility_reason(t, prep, i)
            continue
        left = completion_reasons.get(i, (None, {}))[1].get("remaining_budget")
        if i in money:
            params: dict[str, int | str] = {
                "supporters_money": math.floor(money[i]),
                "voter_share": share,
            }
            if left is not None:
                params["remaining_budget"] = left
            reasons[i] = ("supporters_could_not_pay", params)
        elif left is not None:
            reasons[i] = ("not_enough_budget", {"remaining_budget": left})
        else:
            reasons[i] = ("supporters_could_not_pay", {"supporters_money": 0, "voter_share": share})
    rest = [i for i in order if i not in chosen]
    results = []
    for position, i in enumerate(selected + rest, start=1):
        code, params = reasons[i]
        results.append(
            ProjectResult(
                project_id=prep.ids[i],
                votes=prep.votes[i],
                score=str(prep.scores[i]),
                cost=costs[i],
                funded=i in chosen,
                rank=position,
                reason_code=code,
                reason_params=params,
            )
        )
    return TallyOutcome(
        rule="mes", selected=tuple(prep.ids[i] for i in selected), results=tuple(results)
    )
