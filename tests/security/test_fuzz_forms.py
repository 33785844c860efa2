"""Issue #16 item 3: every form, search and filter, fuzzed (Hypothesis, 100 examples each): bad
input is answered with the form again or a 4xx, never a server error.

Each case posts (or gets) the page's own fields, starting from a valid submission where there is
one so the fuzzed values reach the deeper checks, with a random subset replaced by hostile
values: huge and non-finite numbers, formula text, control characters, long and odd Unicode,
unknown ids, lists where one value is expected, and unknown fields. The Django test client
raises any exception a view lets through, so a server error fails the case with its traceback;
answers of 500 and above fail it too. Derandomized, so the suite never changes from run to run.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from budgeting.phases import Phase
from proposals.models import Proposal
from tests.accounts.factories import PASSWORD
from tests.helpers import cycle_in_phase
from tests.proposals.factories import CommentFactory
from tests.proposals.factories import ProposalFactory
from tests.proposals.factories import ReportFactory
from tests.proposals.review.review_factories import RubricCriterionFactory
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot

pytestmark = pytest.mark.django_db

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1e400",
        "-1e400",
        "Infinity",
        "-Infinity",
        "NaN",
        "9" * 40,
        "-" + "9" * 40,
        "０",
        "٣",
        "1,000,000원",
        "₩-5",
        "true",
        "on",
        "null",
        "[]",
        "{}",
        "999999999",
        "2026-02-30",
        "0000-00-00",
        '=HYPERLINK("https://evil.example/","x")',
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00",
        "\x00",
        "a\x00b",
        "\x1b[2J",
        "\u202etxt.exe",
        "가" * 5000,
        "x" * 100_001,
        "👍🏽",
        "@example.kr",
        "a@b",
        "../../etc/passwd",
    ]
)
VALUE = st.one_of(
    HOSTILE,
    st.text(max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.lists(HOSTILE, min_size=2, max_size=3),
)

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Target:
    method: str
    url: str
    fields: list[str]
    base: dict[str, Any]
    user: Any = None


# --- the pages, each set up in the phase where its form is open --------------------------------
def _proposal_data(request) -> dict:
    return dict(request.getfixturevalue("proposal_form_data"))


def proposal_create(request) -> Target:
    cycle = request.getfixturevalue("cycle")
    data = _proposal_data(request)
    return Target(
        "post",
        reverse("proposals:proposal-create", args=[cycle.slug]),
        [*data, "image", "version", "remove_image"],
        data,
        request.getfixturevalue("resident"),
    )


def proposal_edit(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    data = {**_proposal_data(request), "version": str(proposal.version)}
    return Target(
        "post",
        reverse("proposals:proposal-edit", args=[proposal.pk]),
        [*data, "remove_image"],
        data,
        proposal.author,
    )


def proposal_withdraw(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    url = reverse("proposals:proposal-withdraw", args=[proposal.pk])
    return Target("post", url, ["reason"], {"reason": "이유"}, proposal.author)


def comment_create(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    url = reverse("proposals:comment-create", args=[proposal.pk])
    user = request.getfixturevalue("resident")
    return Target("post", url, ["body", "parent"], {"body": "좋아요"}, user)


def comment_edit(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    user = request.getfixturevalue("resident")
    comment = CommentFactory(proposal=proposal, author=user, body="처음")
    url = reverse("proposals:comment-edit", args=[comment.pk])
    return Target("post", url, ["body"], {"body": "고침"}, user)


def report(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    url = reverse("proposals:proposal-report", args=[proposal.pk])
    user = request.getfixturevalue("resident")
    return Target("post", url, ["reason"], {"reason": "광고"}, user)


def endorse(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    url = reverse("proposals:proposal-endorse", args=[proposal.pk])
    return Target("post", url, ["action"], {}, request.getfixturevalue("resident"))


def profile(request) -> Target:
    user = request.getfixturevalue("resident")
    district = request.getfixturevalue("district")
    data = {
        "display_name": "새이름",
        "district": str(district.pk),
        "birth_year": "1990",
        "relation": "lives",
        "preferred_language": "ko",
    }
    fields = [
        *data,
        "voting_reminders",
        "email_phase_opened",
        "email_proposal_review",
        "email_followed_projects",
        "next",
    ]
    return Target("post", reverse("accounts:profile"), fields, data, user)


def signup(request) -> Target:
    data = {
        "email": "new@example.kr",
        "password1": "a-Strong-pw-2026!",
        "password2": "a-Strong-pw-2026!",
        "consent_account": "on",
    }
    fields = [*data, "consent_committee_attributes", "consent_phone", "next"]
    return Target("post", reverse("account_signup"), fields, data)


def login(request) -> Target:
    data = {"login": request.getfixturevalue("resident").email, "password": "wrong"}
    return Target("post", reverse("account_login"), [*data, "remember", "next"], data)


def password_reset(request) -> Target:
    return Target("post", reverse("account_reset_password"), ["email"], {"email": "a@b.kr"})


def login_code(request) -> Target:
    url = reverse("account_request_login_code")
    return Target("post", url, ["email"], {"email": "a@b.kr"})


def privacy_consents(request) -> Target:
    user = request.getfixturevalue("resident")
    return Target("post", reverse("privacy:consents"), ["committee_attributes", "phone"], {}, user)


def privacy_delete(request) -> Target:
    user = request.getfixturevalue("resident")
    data = {"password": "not-" + PASSWORD, "confirm": "on"}
    return Target("post", reverse("privacy:delete"), [*data], data, user)


def hide_proposal(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    url = reverse("proposals:moderation-hide-proposal", args=[proposal.pk])
    staff = request.getfixturevalue("staff_user")
    return Target("post", url, ["reason", "next"], {"reason": "개인정보"}, staff)


def hide_comment(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    comment = CommentFactory(proposal=proposal, author=proposal.author)
    url = reverse("proposals:moderation-hide-comment", args=[comment.pk])
    staff = request.getfixturevalue("staff_user")
    return Target("post", url, ["reason", "next"], {"reason": "욕설"}, staff)


def dismiss_report(request) -> Target:
    proposal = request.getfixturevalue("proposal")
    filed = ReportFactory(proposal=proposal, reporter=request.getfixturevalue("resident"))
    url = reverse("proposals:moderation-dismiss-report", args=[filed.pk])
    staff = request.getfixturevalue("staff_user")
    return Target("post", url, ["resolution", "next"], {}, staff)


def verify_csv(request) -> Target:
    staff = request.getfixturevalue("staff_user")
    return Target("post", reverse("accounts:staff-residents-csv"), ["file"], {}, staff)


def proposal_list(request) -> Target:
    cycle = request.getfixturevalue("cycle")
    request.getfixturevalue("proposal")
    fields = ["q", "scope", "policy_area", "status", "sort", "page"]
    return Target("get", reverse("proposals:proposal-list", args=[cycle.slug]), fields, {})


def proposal_map(request) -> Target:
    cycle = request.getfixturevalue("cycle")
    fields = ["q", "scope", "policy_area", "status", "sort"]
    return Target("get", reverse("proposals:proposal-map", args=[cycle.slug]), fields, {})


def proposal_similar(request) -> Target:
    cycle = request.getfixturevalue("cycle")
    url = reverse("proposals:proposal-similar", args=[cycle.slug])
    return Target("get", url, ["title", "exclude"], {"title": "공원"})


def staff_residents(request) -> Target:
    staff = request.getfixturevalue("staff_user")
    return Target("get", reverse("accounts:staff-residents"), ["q", "page"], {}, staff)


def moderation_queue(request) -> Target:
    staff = request.getfixturevalue("staff_user")
    return Target("get", reverse("proposals:moderation-queue"), ["page", "q"], {}, staff)


def admin_proposals(request) -> Target:
    staff = request.getfixturevalue("staff_user")
    request.getfixturevalue("proposal")
    fields = ["q", "status__exact", "cycle__id__exact", "policy_area__id__exact", "o", "p", "e"]
    return Target("get", "/admin/proposals/proposal/", fields, {}, staff)


def admin_cycles(request) -> Target:
    staff = request.getfixturevalue("staff_user")
    fields = ["q", "phase__exact", "year", "year__exact", "o", "p"]
    return Target("get", "/admin/budgeting/budgetcycle/", fields, {}, staff)


def admin_users(request) -> Target:
    staff = request.getfixturevalue("staff_user")
    fields = ["q", "is_staff__exact", "is_active__exact", "o", "p"]
    return Target("get", "/admin/accounts/user/", fields, {}, staff)


def _in_review(request):
    cycle = cycle_in_phase(request.getfixturevalue("cycle"), Phase.REVIEW)
    proposal = request.getfixturevalue("proposal")
    return cycle, proposal, request.getfixturevalue("council_member")


def review_queue(request) -> Target:
    cycle, _proposal, member = _in_review(request)
    fields = ["q", "area", "ballot", "status", "review", "decision", "sort", "page"]
    return Target("get", reverse("proposals:review-queue", args=[cycle.slug]), fields, {}, member)


def review_feasibility(request) -> Target:
    _cycle, proposal, member = _in_review(request)
    data = {"verdict": "feasible", "reviewed_cost_won": "25000000", "technical_notes": "가능"}
    fields = [*data, "reason_codes", "legal_notes"]
    url = reverse("proposals:review-feasibility", args=[proposal.pk])
    return Target("post", url, fields, data, member)


def review_decide(request) -> Target:
    _cycle, proposal, member = _in_review(request)
    data = {"decision": "rejected", "public_reason": "예산 초과"}
    url = reverse("proposals:review-decide", args=[proposal.pk])
    return Target("post", url, [*data, "expected_revision"], data, member)


def review_merge(request) -> Target:
    _cycle, proposal, member = _in_review(request)
    other = ProposalFactory(
        scope=proposal.scope, policy_area=proposal.policy_area, status=Proposal.Status.SUBMITTED
    )
    data = {"duplicates": str(other.pk), "public_reason": "중복"}
    url = reverse("proposals:review-merge", args=[proposal.pk])
    return Target("post", url, [*data], data, member)


def review_score(request) -> Target:
    cycle, proposal, member = _in_review(request)
    criteria = [RubricCriterionFactory(cycle=cycle, max_points=5) for _ in range(2)]
    data = {f"criterion_{c.pk}": "3" for c in criteria}
    url = reverse("proposals:review-score", args=[proposal.pk])
    return Target("post", url, [*data], data, member)


def _voting(request):
    cycle = open_voting(
        request.getfixturevalue("cycle"),
        rule="approval",
        approval_min_choices=1,
        approval_max_choices=2,
    )
    scope = request.getfixturevalue("district_scope")
    projects = put_on_ballot(scope, [100_000_000, 50_000_000])
    return cycle, scope, projects


def ballot(request) -> Target:
    cycle, scope, projects = _voting(request)
    data = {"proposals": [str(p.pk) for p in projects[:1]]}
    url = reverse("voting:ballot-form", args=[cycle.slug, scope.pk])
    fields = ["proposals", "back", "confirm", *[f"points_{p.pk}" for p in projects]]
    return Target("post", url, fields, data, request.getfixturevalue("resident"))


def ballot_submit(request) -> Target:
    cycle, scope, projects = _voting(request)
    data = {"proposals": [str(p.pk) for p in projects[:1]]}
    url = reverse("voting:ballot-submit", args=[cycle.slug, scope.pk])
    fields = ["proposals", *[f"points_{p.pk}" for p in projects]]
    return Target("post", url, fields, data, request.getfixturevalue("resident"))


def paper_ballot(request) -> Target:
    cycle, scope, projects = _voting(request)
    voter = request.getfixturevalue("resident")
    data = {"email": voter.email, "proposals": [str(projects[0].pk)]}
    url = reverse("voting:staff-paper-ballot", args=[cycle.slug, scope.pk])
    fields = [*data, "confirm"]
    return Target("post", url, fields, data, request.getfixturevalue("staff_user"))


def staff_tally(request) -> Target:
    cycle = cycle_in_phase(request.getfixturevalue("cycle"), Phase.TALLYING)
    request.getfixturevalue("district_scope")
    url = reverse("results:staff-tally", args=[cycle.slug])
    return Target("post", url, ["action", "scope"], {}, request.getfixturevalue("staff_user"))


def implementation_update(request) -> Target:
    project = request.getfixturevalue("project")
    data = {"status": "in_progress", "percent_done": "10", "spent_won": "1000", "note": "착공"}
    url = reverse("implementation:staff-implementation-update", args=[project.pk])
    fields = [*data, "caption_1", "photo_1"]
    return Target("post", url, fields, data, request.getfixturevalue("staff_user"))


def budget_cut(request) -> Target:
    project = request.getfixturevalue("project")
    data = {"kind": "cut", "amount_won": "1000", "reason": "의회 삭감", "decided_on": "2026-12-01"}
    url = reverse("implementation:staff-budget-cut", args=[project.pk])
    return Target("post", url, [*data], data, request.getfixturevalue("staff_user"))


def project_follow(request) -> Target:
    project = request.getfixturevalue("project")
    url = reverse("implementation:project-follow", args=[project.pk])
    return Target("post", url, ["action"], {}, request.getfixturevalue("resident"))


CASES: list[Callable[[Any], Target]] = [
    proposal_create,
    proposal_edit,
    proposal_withdraw,
    comment_create,
    comment_edit,
    report,
    endorse,
    profile,
    signup,
    login,
    password_reset,
    login_code,
    privacy_consents,
    privacy_delete,
    hide_proposal,
    hide_comment,
    dismiss_report,
    verify_csv,
    proposal_list,
    proposal_map,
    proposal_similar,
    staff_residents,
    moderation_queue,
    admin_proposals,
    admin_cycles,
    admin_users,
    review_queue,
    review_feasibility,
    review_decide,
    review_merge,
    review_score,
    ballot,
    ballot_submit,
    paper_ballot,
    staff_tally,
    implementation_update,
    budget_cut,
    project_follow,
]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_no_input_makes_a_server_error(request, case):
    target = case(request)
    client = Client()
    if target.user is not None:
        client.force_login(target.user)

    @FUZZ
    @given(
        changes=st.dictionaries(
            st.one_of(st.sampled_from(target.fields), st.text(min_size=1, max_size=8)),
            st.one_of(VALUE, st.none()),
            max_size=len(target.fields) + 1,
        )
    )
    def attempt(changes):
        data = dict(target.base)
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)  # a field left out
            else:
                data[name] = value
        response = getattr(client, target.method)(target.url, data)
        assert response.status_code < 500, (target.url, data)

    attempt()
