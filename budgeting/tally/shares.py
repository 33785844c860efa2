"""How one voter's equal share was spent under the Method of Equal Shares (pure, exact).

A published MES outcome says, for every project its supporters' shares bought, the round it was
bought in and the price per point its supporters paid at most (``ProjectResult.reason_params``:
``round``, ``max_payment_per_point``, ``voter_share``; ``equal_shares.py`` writes them). That is
enough to redo any one voter's payments exactly, without the other ballots: in each round the
project's supporters pay the price per point times their points, except those with less money
left, who pay all they have left (this is how ``equal_shares`` and pabutools charge). So a voter
whose ballot gave ``points[p]`` to project ``p`` holds the share at first and, for each bought
project in round order, pays ``min(money left, price x points[p])``.

Nothing here reads who the voter is: the caller passes the ballot's points.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction


class ShareInputError(ValueError):
    """The outcome is not an Equal Shares outcome, or its numbers are inconsistent."""


@dataclass(frozen=True, slots=True)
class Purchase:
    """A project bought with its supporters' shares, in round ``round`` (1 = first)."""

    project_id: str
    round: int
    price_per_point: Fraction


@dataclass(frozen=True, slots=True)
class SharePayment:
    """What the voter paid towards one bought project they supported.

    ``paid_all_left``: the voter had less than the full price (price per point x points) left
    and paid everything they still had (possibly 0: their share was used up before).
    """

    project_id: str
    round: int
    points: int
    full_price: Fraction
    amount: Fraction
    paid_all_left: bool


@dataclass(frozen=True, slots=True)
class ShareAccount:
    """A voter's share, what it paid for (in round order) and what was left of it."""

    share: Fraction
    payments: tuple[SharePayment, ...]
    left: Fraction

    @property
    def spent(self) -> Fraction:
        return sum((p.amount for p in self.payments), Fraction(0))

    def payment(self, project_id: str) -> SharePayment | None:
        for payment in self.payments:
            if payment.project_id == project_id:
                return payment
        return None


def read_purchases(
    results: Iterable[tuple[str, str, Mapping[str, object]]],
) -> tuple[Fraction, tuple[Purchase, ...]]:
    """The voter share and the purchases, in round order, of a published MES outcome.

    ``results``: ``(project id, reason code, reason params)`` of every project. Projects funded
    by the greedy completion (``funded_in_completion``) are no purchase: the money left over
    paid for them, not the voters' shares. Raises :class:`ShareInputError` if the numbers are
    missing or two purchases claim one round.
    """
    share: Fraction | None = None
    purchases: list[Purchase] = []
    for project_id, code, params in results:
        value = params.get("voter_share")
        if value is not None:
            found = Fraction(str(value))
            if share is not None and found != share:
                raise ShareInputError("the outcome gives two different voter shares")
            share = found
        if code != "funded" or "round" not in params:
            continue
        if "max_payment_per_point" not in params:
            raise ShareInputError(f"project {project_id!r} has no price per point")
        purchases.append(
            Purchase(
                project_id=project_id,
                round=int(str(params["round"])),
                price_per_point=Fraction(str(params["max_payment_per_point"])),
            )
        )
    if share is None:
        raise ShareInputError("not an Equal Shares outcome: no voter share")
    purchases.sort(key=lambda p: p.round)
    if len({p.round for p in purchases}) != len(purchases):
        raise ShareInputError("two projects were bought in the same round")
    return share, tuple(purchases)


def spend_share(
    *, share: Fraction, purchases: Iterable[Purchase], points: Mapping[str, int]
) -> ShareAccount:
    """Redo one voter's payments: ``points`` maps the project ids on their ballot to points
    (1 for an approval or knapsack choice; 0 or absent = not chosen)."""
    if share < 0:
        raise ShareInputError("the voter share must not be negative")
    money = share
    payments: list[SharePayment] = []
    for purchase in sorted(purchases, key=lambda p: p.round):
        given = int(points.get(purchase.project_id, 0))
        if given <= 0:
            continue
        full = purchase.price_per_point * given
        amount = min(money, full)
        payments.append(
            SharePayment(
                project_id=purchase.project_id,
                round=purchase.round,
                points=given,
                full_price=full,
                amount=amount,
                paid_all_left=amount < full,
            )
        )
        money -= amount
    return ShareAccount(share=share, payments=tuple(payments), left=money)
