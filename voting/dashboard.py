"""The ballots' sections of "My participation" (registered at ``ready()``): where the resident
can still vote, and each ballot they could vote on or did, whether they voted, never how."""

from typing import Any

from accounts.dashboard import register_dashboard_section
from voting.selectors import list_my_ballots
from voting.selectors import list_voting_cycles_closed_to
from voting.services.ballots import describe_ineligibility


def _still_to_vote(user) -> dict[str, Any] | None:
    ballots = [line for line in list_my_ballots(user=user) if line.may_vote]
    lines = [line for line in ballots if line.status != "voted"]
    closed = [
        (cycle, describe_ineligibility(reason))
        for cycle, reason in list_voting_cycles_closed_to(user=user)
    ]
    if not lines and not closed:
        return None
    voted_somewhere = any(line.status == "voted" for line in ballots)
    return {"to_vote": lines, "closed_cycles": closed, "voted_somewhere": voted_somewhere}


def _my_ballots(user) -> dict[str, Any]:
    return {"ballots": list_my_ballots(user=user)}


def register() -> None:
    register_dashboard_section(
        key="still_to_vote",
        order=10,
        template_name="voting/includes/_dashboard_still_to_vote.html",
        get_context=_still_to_vote,
    )
    register_dashboard_section(
        key="ballots",
        order=20,
        template_name="voting/includes/_dashboard_ballots.html",
        get_context=_my_ballots,
    )
