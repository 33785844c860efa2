"""The proposals' sections of "My participation" (registered at ``ready()``)."""

from typing import Any

from accounts.dashboard import register_dashboard_section
from proposals.selectors import list_endorsed_proposals
from proposals.selectors import list_proposals_with_answers


def _my_proposals(user) -> dict[str, Any]:
    return {"proposals": list(list_proposals_with_answers(author=user))}


def _my_endorsements(user) -> dict[str, Any]:
    return {"endorsed": list(list_endorsed_proposals(user=user))}


def register() -> None:
    register_dashboard_section(
        key="proposals",
        order=30,
        template_name="proposals/includes/_dashboard_proposals.html",
        get_context=_my_proposals,
    )
    register_dashboard_section(
        key="endorsements",
        order=40,
        template_name="proposals/includes/_dashboard_endorsements.html",
        get_context=_my_endorsements,
    )
