"""The implementation block of a proposal page: its money, progress history and follow button."""

import rules
from django import template

from implementation.selectors import get_funded_project_state
from implementation.selectors import is_following
from implementation.selectors import list_implementation_updates
from proposals.models import Proposal

register = template.Library()

STATUS_BADGES = {
    "planned": "text-bg-secondary",
    "in_progress": "text-bg-primary",
    "done": "text-bg-success",
    "cancelled": "text-bg-danger",
}


@register.simple_tag(takes_context=True)
def project_implementation(context, proposal) -> dict | None:
    """None unless a published result funded ``proposal`` (no query for other proposals)."""
    if proposal.status != Proposal.Status.ON_BALLOT:
        return None
    state = get_funded_project_state(proposal=proposal)
    if state is None:
        return None
    user = context["request"].user
    following = is_following(user=user, proposal=proposal)
    return {
        "state": state,
        "updates": list_implementation_updates(proposal=proposal),
        "is_following": following,
        # rules.has_perm, not user.has_perm: no superuser shortcut for a resident's button
        "can_follow": not following
        and rules.has_perm("implementation.follow_project", user, proposal),
        "can_post": rules.has_perm("implementation.post_implementation_update", user, proposal),
    }


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")
