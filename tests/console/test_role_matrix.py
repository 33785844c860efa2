"""Staff roles (issue #14, item 4): every /staff/ and /council/ route for the budget office, a
district officer of the pot's 구 and of another 구, a moderator, a resident and anonymous; the
denied actions change nothing. Staff with no role are the budget office (nothing broke)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import reverse
from django.utils import timezone

from accounts.models import PopulationCount
from accounts.models import StaffRole
from assembly.models import Assembly
from assembly.models import Attendance
from budgeting.models import Allocation
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import ImplementationUpdate
from budgeting.models import TallyRun
from budgeting.phases import Phase
from channels.models import Office
from channels.models import VotingCodeBatch
from committee.models import Course
from committee.models import CourseSession
from committee.models import Meeting
from departments.models import Department
from departments.models import DepartmentReview
from departments.models import Escalation
from departments.models import EscalationStep
from proposals.models import Proposal
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import CommentFactory
from tests.proposals.factories import ProposalFactory
from tests.proposals.factories import ReportFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "office",
    "office_by_role",
    "officer_own",
    "officer_other",
    "moderator",
    "resident",
    "anonymous",
)
OFFICE = {"office", "office_by_role"}


def _staff(district, *roles):
    user = ResidentProfileFactory(district=district).user
    user.is_staff = True
    user.save()
    activate_totp(user)
    for role, role_district in roles:
        StaffRole.objects.create(user=user, role=role, district=role_district)
    return user


@pytest.fixture
def world(district, other_district):
    voting = cycle_in_phase(BudgetCycleFactory(tally_rule="greedy"), Phase.VOTING)
    vote_scope = BallotScopeFactory(cycle=voting, district=district, budget_won=100_000_000)
    ProposalFactory(
        cycle=voting, scope=vote_scope, status=Proposal.Status.ON_BALLOT, cost_estimate_won=10
    )
    published = cycle_in_phase(BudgetCycleFactory(), Phase.PUBLISHED)
    own_scope = BallotScopeFactory(cycle=published, district=district, budget_won=300)
    project = ProposalFactory(
        cycle=published, scope=own_scope, status=Proposal.Status.ON_BALLOT, cost_estimate_won=100
    )
    run = TallyRun.objects.create(
        scope=own_scope,
        rule="greedy",
        fingerprint="f" * 64,
        status=TallyRun.Status.SUCCEEDED,
        ballot_count=1,
        budget_won=300,
        allocated_won=100,
        published_at=timezone.now(),
    )
    Allocation.objects.create(
        tally_run=run, proposal=project, cost_won=100, is_funded=True, votes=1, rank=1
    )
    comment = CommentFactory(proposal=project)
    report = ReportFactory(proposal=project, comment=comment)
    course = Course.objects.create(cycle=published, title="예산학교")
    session = CourseSession.objects.create(
        course=course,
        title="1회",
        kind=CourseSession.Kind.IN_PERSON,
        starts_at=timezone.now(),
        duration_minutes=90,
    )
    meeting = Meeting.objects.create(cycle=published, title="1차 회의", held_at=timezone.now())
    department = Department.objects.create(
        name_ko="교통정책과", name_en="Transport", slug="transport"
    )
    review = DepartmentReview.objects.create(proposal=project, department=department)
    step = EscalationStep.objects.create(cycle=published, threshold=50, action="department_answer")
    escalation = Escalation.objects.create(
        proposal=project,
        step=step,
        reached_at=timezone.now(),
        supporters=50,
        due_at=timezone.now() + timedelta(days=14),
    )
    office = Office.objects.create(name="부평구청 민원실", district=district)
    batch = VotingCodeBatch.objects.create(
        cycle=voting, size=1, created_by=ResidentProfileFactory(district=district).user
    )
    assembly = Assembly.objects.create(
        cycle=published, title="총회", starts_at=timezone.now(), place="구청 대강당"
    )
    attendance = Attendance.objects.create(
        assembly=assembly,
        user=ResidentProfileFactory(district=district).user,
        role=Attendance.Role.RESIDENT,
    )
    users = {
        "office": _staff(district),
        "office_by_role": _staff(district, (StaffRole.Role.BUDGET_OFFICE, None)),
        "officer_own": _staff(district, (StaffRole.Role.DISTRICT_OFFICER, district)),
        "officer_other": _staff(other_district, (StaffRole.Role.DISTRICT_OFFICER, other_district)),
        "moderator": _staff(district, (StaffRole.Role.MODERATOR, None)),
        "resident": ResidentProfileFactory(district=district).user,
        "anonymous": None,
    }
    return {
        "voting": voting,
        "vote_scope": vote_scope,
        "published": published,
        "project": project,
        "comment": comment,
        "report": report,
        "session": session,
        "meeting": meeting,
        "review": review,
        "office": office,
        "batch": batch,
        "assembly": assembly,
        "attendance": attendance,
        "escalation": escalation,
        "users": users,
    }


# route name → (URL kwargs from the world, the roles that may open it). A staff route missing
# here fails ``test_every_staff_route_is_in_the_matrix``.
Kwargs = Callable[[dict], dict]
OFFICERS = {"officer_own", "officer_other"}
MATRIX: dict[str, tuple[Kwargs, set[str]]] = {
    "accounts:staff-residents": (lambda w: {}, OFFICE),
    "accounts:staff-resident-verify": (
        lambda w: {"pk": w["users"]["resident"].resident_profile.pk},
        OFFICE,  # POST only
    ),
    "accounts:staff-residents-csv": (lambda w: {}, OFFICE),
    "voting:staff-paper-ballots": (lambda w: {"slug": w["voting"].slug}, OFFICE | OFFICERS),
    "voting:staff-paper-ballot": (
        lambda w: {"slug": w["voting"].slug, "scope_pk": w["vote_scope"].pk},
        OFFICE | {"officer_own"},
    ),
    "results:staff-tally": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "implementation:staff-implementation": (
        lambda w: {"slug": w["published"].slug},
        OFFICE | OFFICERS,
    ),
    "implementation:staff-implementation-update": (
        lambda w: {"pk": w["project"].pk},
        OFFICE | {"officer_own"},
    ),
    "implementation:staff-budget-cut": (lambda w: {"pk": w["project"].pk}, OFFICE),
    "proposals:moderation-queue": (lambda w: {}, OFFICE | {"moderator"}),
    "proposals:moderation-hide-proposal": (
        lambda w: {"pk": w["project"].pk},
        OFFICE | {"moderator"},  # POST only
    ),
    "proposals:moderation-hide-comment": (
        lambda w: {"pk": w["comment"].pk},
        OFFICE | {"moderator"},  # POST only
    ),
    "proposals:moderation-dismiss-report": (
        lambda w: {"pk": w["report"].pk},
        OFFICE | {"moderator"},  # POST only
    ),
    # an index of the review desks a person may open: staff of any role see theirs (none)
    "proposals:council-home": (lambda w: {}, OFFICE | OFFICERS | {"moderator"}),
    "proposals:review-queue": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "proposals:review-proposal": (lambda w: {"pk": w["project"].pk}, OFFICE),
    "proposals:review-feasibility": (lambda w: {"pk": w["project"].pk}, OFFICE),
    "proposals:review-decide": (lambda w: {"pk": w["project"].pk}, OFFICE),
    "proposals:review-merge": (lambda w: {"pk": w["project"].pk}, OFFICE),
    # the desk opens for the budget office; scoring, recommending and stepping aside are then
    # refused on the page itself (council members only)
    "proposals:review-score": (lambda w: {"pk": w["project"].pk}, OFFICE),
    "proposals:review-recommend": (lambda w: {"pk": w["project"].pk}, OFFICE),
    "proposals:review-step-aside": (lambda w: {"pk": w["project"].pk}, OFFICE),
    "committee:interests": (lambda w: {"slug": w["published"].slug}, set()),  # members only
    "committee:staff-console": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "committee:staff-meeting-new": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "committee:staff-meeting": (
        lambda w: {"slug": w["published"].slug, "pk": w["meeting"].pk},
        OFFICE,
    ),
    "committee:staff-school": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "committee:staff-attendance": (lambda w: {"pk": w["session"].pk}, OFFICE),
    # the set-up wizard and the phase control room: the budget office
    "console:cycles": (lambda w: {}, OFFICE),
    "console:wizard-new": (lambda w: {}, OFFICE),
    "console:wizard-summary": (lambda w: {"slug": w["voting"].slug}, OFFICE),
    "console:wizard-step": (lambda w: {"slug": w["voting"].slug, "step": "pots"}, OFFICE),
    "console:wizard-pot-add": (lambda w: {"slug": w["voting"].slug}, OFFICE),
    "console:wizard-pot": (
        lambda w: {"slug": w["voting"].slug, "pk": w["vote_scope"].pk},
        OFFICE,
    ),
    "console:wizard-pot-remove": (
        lambda w: {"slug": w["voting"].slug, "pk": w["vote_scope"].pk},
        OFFICE,  # POST only
    ),
    "console:control": (lambda w: {"slug": w["voting"].slug}, OFFICE),
    "console:control-action": (lambda w: {"slug": w["voting"].slug, "action": "next"}, OFFICE),
    # departments: the budget office routes, sets the ladder and exports; reviews and answers
    # are given in a department's name, by its officials only (tests/departments/)
    "departments:desk": (lambda w: {}, OFFICE),
    "departments:route": (lambda w: {"pk": w["project"].pk}, OFFICE),
    "departments:cycle-settings": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "departments:export": (
        lambda w: {"slug": w["published"].slug, "kind": "reviews", "fmt": "csv"},
        OFFICE,
    ),
    "departments:review": (lambda w: {"pk": w["review"].pk}, set()),
    "departments:answer": (lambda w: {"pk": w["escalation"].pk}, set()),
    # voting channels: the budget office makes voting codes; the kiosk and walk-in paper at an
    # office are for officers posted there or district officers of its 구
    "channels:staff-code-batches": (lambda w: {"slug": w["voting"].slug}, OFFICE),
    "channels:staff-code-sheet": (lambda w: {"pk": w["batch"].pk}, OFFICE),
    "channels:staff-code-revoke": (lambda w: {"pk": w["batch"].pk}, OFFICE),  # POST only
    "channels:kiosk": (
        lambda w: {"office_pk": w["office"].pk, "slug": w["voting"].slug},
        {"officer_own"},
    ),
    "channels:kiosk-finish": (
        lambda w: {"office_pk": w["office"].pk, "slug": w["voting"].slug},
        {"officer_own"},
    ),
    "channels:kiosk-phone": (
        lambda w: {"office_pk": w["office"].pk, "slug": w["voting"].slug},
        {"officer_own"},
    ),
    "channels:walk-in-paper": (
        lambda w: {
            "office_pk": w["office"].pk,
            "slug": w["voting"].slug,
            "scope_pk": w["vote_scope"].pk,
        },
        {"officer_own"},
    ),
    "channels:paper-sheet": (
        lambda w: {
            "office_pk": w["office"].pk,
            "slug": w["voting"].slug,
            "scope_pk": w["vote_scope"].pk,
        },
        {"officer_own"},
    ),
    "channels:paper-correct": (
        lambda w: {
            "office_pk": w["office"].pk,
            "slug": w["voting"].slug,
            "scope_pk": w["vote_scope"].pk,
        },
        {"officer_own"},
    ),
    # the general assembly: the budget office
    "assembly:staff-list": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "assembly:staff-console": (lambda w: {"pk": w["assembly"].pk}, OFFICE),
    "assembly:staff-vote": (
        lambda w: {"pk": w["assembly"].pk, "attendance_pk": w["attendance"].pk},
        OFFICE,
    ),
    "console:checks": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "console:survey": (lambda w: {"slug": w["published"].slug}, OFFICE),
    # granting and revoking staff roles: the budget office only
    "console:staff-roles": (lambda w: {}, OFFICE),
    "console:staff-role-revoke": (
        lambda w: {"key": f"role-{w['users']['moderator'].staff_roles.get().pk}"},
        OFFICE,
    ),
    "console:dashboard": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "console:population": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "console:exports": (lambda w: {"slug": w["published"].slug}, OFFICE),
    "console:export": (
        lambda w: {"slug": w["published"].slug, "kind": "participation", "fmt": "csv"},
        OFFICE,
    ),
}


POST_ONLY = {
    "console:wizard-pot-remove",
    "channels:staff-code-sheet",
    "channels:staff-code-revoke",
    "channels:kiosk-finish",
    "accounts:staff-resident-verify",
    "proposals:moderation-hide-proposal",
    "proposals:moderation-hide-comment",
    "proposals:moderation-dismiss-report",
}


def _staff_routes():
    found = []

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(("staff/", "council/")):
                    found.append(f"{namespace}{pattern.name}")

    walk(get_resolver(), "", "")
    return found


def test_every_staff_route_is_in_the_matrix():
    missing = sorted(set(_staff_routes()) - set(MATRIX))
    assert missing == [], f"add these staff routes to the role matrix: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_every_staff_route(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, (kwargs, allowed) in MATRIX.items():
        url = reverse(name, kwargs=kwargs(world))
        status = client.get(url).status_code
        if role in allowed:
            ok = status == (405 if name in POST_ONLY else 200)
        elif user is None:
            ok = status == 302  # to the login page
        else:
            ok = status in (403, 404)
        if not ok:
            wrong.append((name, status))
    assert wrong == [], f"{role}: {wrong}"


def test_denied_actions_change_nothing(client, world, district, other_district):
    users, project = world["users"], world["project"]
    # a district officer of another 구: no paper ballot on this pot, no progress of its project
    client.force_login(users["officer_other"])
    voter = ResidentProfileFactory(district=district).user
    ballot_url = reverse(
        "voting:staff-paper-ballot",
        kwargs={"slug": world["voting"].slug, "scope_pk": world["vote_scope"].pk},
    )
    on_ballot = Proposal.objects.get(scope=world["vote_scope"])
    denied = client.post(ballot_url, {"email": voter.email, "proposals": [on_ballot.pk]})
    assert denied.status_code == 403
    office_kwargs = {
        "office_pk": world["office"].pk,
        "slug": world["voting"].slug,
        "scope_pk": world["vote_scope"].pk,
    }
    sheet_url = reverse("channels:paper-sheet", kwargs=office_kwargs)
    sheet = f"A1234567, {on_ballot.pk}"
    for step in ("check", "store"):
        data = {"step": step, "sheet": sheet, "token": "x"}
        assert client.post(sheet_url, data).status_code == 403
    correct_url = reverse("channels:paper-correct", kwargs=office_kwargs)
    correction = {"census_ref": "A1234567", "proposals": [on_ballot.pk], "reason": "wrong"}
    assert client.post(correct_url, correction).status_code == 403
    update_url = reverse("implementation:staff-implementation-update", kwargs={"pk": project.pk})
    assert client.post(update_url, {"status": "in_progress", "percent_done": 50}).status_code == 403
    assert Ballot.objects.count() == 0
    assert ImplementationUpdate.objects.count() == 0
    # a district officer of the pot's 구 may not hide, publish, cut or import the population
    client.force_login(users["officer_own"])
    hide_url = reverse("proposals:moderation-hide-proposal", kwargs={"pk": project.pk})
    assert client.post(hide_url, {"reason": "광고성 게시물입니다."}).status_code == 403
    cut_url = reverse("implementation:staff-budget-cut", kwargs={"pk": project.pk})
    assert client.post(cut_url, {"new_amount_won": 0, "reason": "의회 삭감"}).status_code == 403
    population_url = reverse("console:population", kwargs={"slug": world["published"].slug})
    assert client.post(population_url, {}).status_code == 403
    # a moderator may not acknowledge a warning or publish
    client.force_login(users["moderator"])
    checks_url = reverse("console:checks", kwargs={"slug": world["voting"].slug})
    answer = client.post(
        checks_url,
        {"scope": world["vote_scope"].pk, "warning": "no_ballots", "reason": "x" * 30},
    )
    assert answer.status_code == 403
    tally_url = reverse("results:staff-tally", kwargs={"slug": world["voting"].slug})
    assert client.post(tally_url, {"action": "publish"}).status_code == 403
    project.refresh_from_db()
    assert project.hidden_at is None
    assert PopulationCount.objects.count() == 0
    assert not AuditEvent.objects.filter(
        event_type__in=[
            AuditEvent.Type.PUBLICATION_WARNING_ACKNOWLEDGED,
            AuditEvent.Type.PROJECT_CUT,
            AuditEvent.Type.PROPOSAL_HIDDEN,
            AuditEvent.Type.PAPER_BALLOT_ENTERED,
        ]
    ).exists()
    world["voting"].refresh_from_db()
    assert world["voting"].phase == Phase.VOTING


def test_a_moderator_hides_and_an_officer_enters_a_paper_ballot_of_their_district(
    client, world, district
):
    client.force_login(world["users"]["moderator"])
    project = world["project"]
    hide_url = reverse("proposals:moderation-hide-proposal", kwargs={"pk": project.pk})
    assert client.post(hide_url, {"reason": "광고성 게시물입니다."}).status_code == 302
    project.refresh_from_db()
    assert project.hidden_at is not None

    client.force_login(world["users"]["officer_own"])
    voter = ResidentProfileFactory(district=district).user
    ballot_url = reverse(
        "voting:staff-paper-ballot",
        kwargs={"slug": world["voting"].slug, "scope_pk": world["vote_scope"].pk},
    )
    index = client.get(reverse("voting:staff-paper-ballots", kwargs={"slug": world["voting"].slug}))
    assert world["vote_scope"].name in index.content.decode()
    on_ballot = Proposal.objects.get(scope=world["vote_scope"])
    answer = client.post(ballot_url, {"email": voter.email, "proposals": [on_ballot.pk]})
    assert answer.status_code == 302, answer.context["form"].errors
    assert Ballot.objects.filter(scope=world["vote_scope"]).count() == 1
