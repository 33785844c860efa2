"""Voting blocks for the cycle page: the resident's ballots and public turnout (adapters only)."""

from django import template

from budgeting.phases import Phase
from budgeting.selectors import list_ballot_scopes_for_resident
from voting.selectors import get_turnout
from voting.selectors import map_participations_by_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def my_ballots(context, cycle) -> list[dict]:
    """The requesting resident's ballot scopes with whether they have voted on each."""
    user = context["request"].user
    if not user.is_authenticated or cycle.phase != Phase.VOTING:
        return []
    participations = map_participations_by_scope(user=user, cycle=cycle)
    return [
        {"scope": scope, "participation": participations.get(scope.pk)}
        for scope in list_ballot_scopes_for_resident(user=user, cycle=cycle)
    ]


@register.simple_tag
def turnout(cycle) -> dict | None:
    """Participation counts (never per-project counts) once voting has opened."""
    if cycle.phase == Phase.DRAFT or cycle.phase in (Phase.PROPOSALS, Phase.REVIEW):
        return None
    return get_turnout(cycle=cycle)
