"""Who may do what in the departments app (registrations live in departments/rules.py).

- route (and re-route): the budget office (staff with a second factor);
- review: an official (with a second factor) of a department the proposal is routed to, never
  on a proposal they wrote;
- answer a ladder step: an official of the answering office (the named office, else the
  proposal's departments); the answer is given in the department's name, so staff do not;
- moderate a forum: its moderator, and the budget office.
"""

import rules

from accounts.predicates import is_moderator
from core.predicates import has_second_factor
from departments.models import DepartmentReview
from departments.models import Escalation
from departments.selectors import list_escalation_owner_ids
from departments.selectors import list_official_department_ids
from proposals.models import Proposal


def _wrote(user, proposal: Proposal) -> bool:
    return proposal.author_id == user.pk or proposal.co_authors.filter(pk=user.pk).exists()


def is_reviewing_official(user, review: DepartmentReview) -> bool:
    if not (user.is_authenticated and isinstance(review, DepartmentReview)):
        return False
    if review.department_id is None or not has_second_factor(user):
        return False
    if review.department_id not in list_official_department_ids(user=user):
        return False
    return not _wrote(user, review.proposal)


def is_answering_official(user, escalation: Escalation) -> bool:
    if not (user.is_authenticated and isinstance(escalation, Escalation)):
        return False
    if escalation.is_forum or not has_second_factor(user):
        return False
    owners = list_escalation_owner_ids(escalation=escalation)
    if not owners & list_official_department_ids(user=user):
        return False
    return not _wrote(user, escalation.proposal)


def is_forum_moderator(user, escalation: Escalation) -> bool:
    if (
        not (user.is_authenticated and isinstance(escalation, Escalation))
        or not escalation.is_forum
    ):
        return False
    if is_moderator(user):  # the budget office or a staff moderator
        return True
    return escalation.moderator_id == user.pk and has_second_factor(user)


def is_any_official(user) -> bool:
    return bool(has_second_factor(user) and list_official_department_ids(user=user))


@rules.predicate
def may_review(user, review) -> bool:
    return is_reviewing_official(user, review)


@rules.predicate
def may_answer(user, escalation) -> bool:
    return is_answering_official(user, escalation)


@rules.predicate
def may_moderate(user, escalation) -> bool:
    return is_forum_moderator(user, escalation)


@rules.predicate
def is_official(user) -> bool:
    return is_any_official(user)
