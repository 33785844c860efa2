"""The crawl table of the all-pages accessibility test: every URL pattern of the project, and
how to open it with real objects of the seeded demo city.

``enumerate_patterns()`` walks ``get_resolver()`` recursively. Every pattern it finds must be
in exactly one of:

- ``PAGES``: an HTML page. Its ``Page`` says who opens it (``roles``, in the order tried; the
  first role is the one used on the desktop pass), how to build its URL kwargs from the
  ``City`` (``kwargs``), an optional query string, whether it is one of the key pages also
  checked in English, and, for a page that always redirects for these roles, where it lands.
- ``admin_pages()``: the generated entries of every ``ModelAdmin`` registered on the admin site
  (changelist, add, change, history, delete), opened by staff with the object
  ``City.admin_object(model)`` (the model's entry in ``ADMIN_OBJECTS``, or its newest row). A
  registered model with no row in the city fails the test, naming it.
- ``EXCLUDED``: not an HTML page a person opens with a GET (a download, JSON, POST-only, a
  redirect, a fragment), with the reason.

A pattern in none of them fails the test with its name: a page added later must be added here.
Keys are ``namespace:name`` (unnamed patterns: ``namespace:`` followed by the route).
"""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Literal

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.models import EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import RequestFactory
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver

from accounts.models import StaffRole
from accounts.models import User
from assembly.models import Assembly
from assembly.models import SurveyCount
from budgeting.models import Allocation
from budgeting.models import BallotScope
from budgeting.models import BudgetCut
from budgeting.models import BudgetCycle
from budgeting.models import ImplementationUpdate
from budgeting.models import SubcommitteeMember
from budgeting.phases import Phase
from channels.models import Office
from committee.models import Course
from committee.models import CourseSession
from committee.models import Enrolment
from committee.models import Meeting
from committee.services import assign_seat
from committee.services import save_subcommittee
from demo.channels import OFFICE_NAME as DEMO_OFFICE_NAME
from demo.weighted import WEIGHTED_SLUG
from departments.models import Department
from departments.models import DepartmentOfficial
from departments.models import DepartmentReview
from departments.models import Escalation
from proposals.models import Comment
from proposals.models import Proposal
from proposals.models import Report
from proposals.services.discussion import post_comment
from proposals.services.discussion import report_content
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import cycle_in_phase
from voting.services.ballots import submit_ballot

Role = Literal["anonymous", "resident", "council", "staff"]
EVERYONE: tuple[Role, ...] = ("anonymous", "resident", "council", "staff")
PEOPLE: tuple[Role, ...] = ("resident", "council", "staff")  # logged in

# The demo accounts (seed_demo) that play each role; staff and council have TOTP secrets.
ACCOUNTS: dict[Role, str] = {
    "resident": "resident@demo.chamyeo.kr",  # verified, Bupyeong-gu
    "council": "council@demo.chamyeo.kr",  # council member of the current and review cycles
    "staff": "admin@demo.chamyeo.kr",  # budget office, superuser
}


@dataclass
class City:
    """The seeded demo city plus the few objects the demo does not create, by role in a page."""

    resident: User
    council: User
    staff: User
    current: BudgetCycle  # collecting proposals (incheon-2027)
    review: BudgetCycle  # council review (incheon-2026-review)
    voting: BudgetCycle  # voting, approval ballot: the resident has not voted
    voted: BudgetCycle  # voting, knapsack ballot: the resident has voted
    published: BudgetCycle  # results published, projects being implemented (incheon-2026)
    voting_scope: BallotScope  # the resident's district pot in ``voting``
    voted_scope: BallotScope  # the resident's district pot in ``voted``
    published_scope: BallotScope  # the city-wide pot of ``published``
    own_proposal: Proposal  # the resident's, still editable
    mapped_proposal: Proposal  # a proposal with a place (its page shows a map)
    reviewed_proposal: Proposal  # in the review cycle, open for the council
    funded_project: Proposal  # funded in ``published``
    own_comment: Comment  # the resident's
    report: Report  # open, in the moderation queue
    group: Group
    unconfirmed_email: EmailAddress  # an address waiting for its confirmation link
    meeting: Meeting  # a committee meeting of ``current``, with minutes
    course: Course  # the budget school of ``current``
    school_session: CourseSession  # its in-person session (attendance is taken by staff)
    certificate: Enrolment  # a completed enrolment, with its certificate number
    extra: dict = field(default_factory=dict)

    def admin_object(self, model: type[models.Model]) -> models.Model:
        pick = ADMIN_OBJECTS.get(model._meta.label)
        obj = pick(self) if pick else model._default_manager.order_by("-pk").first()
        if obj is None:
            raise LookupError(
                f"the admin of {model._meta.label} is crawled but the city has no "
                f"{model._meta.verbose_name}: create one in build_city() or add an entry to "
                "ADMIN_OBJECTS"
            )
        return obj


def build_city() -> City:
    """Look up (and add to) the city ``seed_demo`` created."""
    resident = User.objects.get(email=ACCOUNTS["resident"])
    council = User.objects.get(email=ACCOUNTS["council"])
    staff = User.objects.get(email=ACCOUNTS["staff"])
    district = resident.resident_profile.district
    cycles = {cycle.slug: cycle for cycle in BudgetCycle.objects.all()}
    current = cycles["incheon-2027"]
    voting = cycles["demo-vote-approval"]
    voted = cycles["demo-vote-knapsack"]
    published = cycles["incheon-2026"]
    review = cycles["incheon-2026-review"]
    voting_scope = voting.scopes.get(district=district)
    voted_scope = voted.scopes.get(district=district)
    on_ballot = list(voted_scope.proposals.filter(status=Proposal.Status.ON_BALLOT))
    cheapest = min(on_ballot, key=lambda proposal: proposal.reviewed_cost_won or 0)
    submit_ballot(voter=resident, scope=voted_scope, choices={cheapest.pk: 1})
    mapped = (
        Proposal.objects.filter(cycle=current, latitude__isnull=False, hidden_at__isnull=True)
        .exclude(author=resident)
        .order_by("pk")
        .first()
    )
    assert mapped is not None, "the demo city has no proposal with a place"
    own_comment = post_comment(proposal=mapped, author=resident, body="저녁에도 밝았으면 합니다.")
    report = report_content(
        reporter=resident, proposal=mapped, reason="개인 연락처가 적혀 있습니다."
    )
    signup = User.objects.create_user(email="signup@example.kr", password="not-used-0")
    address = EmailAddress.objects.create(
        user=signup, email=signup.email, verified=False, primary=True
    )
    funded = (
        Allocation.objects.filter(
            tally_run__scope__cycle=published, is_funded=True, tally_run__is_official=True
        )
        .select_related("proposal")
        .order_by("pk")
        .first()
    )
    assert funded is not None, "the demo's published cycle funded nothing"
    reviewed = Proposal.objects.filter(cycle=review).exclude(author=council).order_by("pk").first()
    assert reviewed is not None
    # A second cycle collecting proposals, so /proposals/ shows its choice of cycles.
    youth = BudgetCycleFactory(
        slug="youth-spaces-2027", name_ko="2027년 청소년 공간 공모", name_en="2027 youth spaces"
    )
    cycle_in_phase(youth, Phase.PROPOSALS)
    BallotScopeFactory(cycle=youth, district=None, budget_won=200_000_000)
    RecoveryCodes.activate(council)  # so the council member has recovery codes to look at
    # The review cycle works without 분과 in the demo: a 분과 of the reviewed proposal's area,
    # chaired by the council member, so the recommendation and step-aside forms are open to them.
    if not review.subcommittees.exists():
        chaired = save_subcommittee(
            cycle=review,
            name_ko="복지·보건분과",
            name_en="Welfare and health",
            policy_areas=[reviewed.policy_area],
        )
        assign_seat(subcommittee=chaired, user=council, role=SubcommitteeMember.Role.CHAIR)
    course = Course.objects.filter(cycle=current, is_published=True).order_by("pk").first()
    assert course is not None, "the demo city has no budget school"
    # The budget office's account also acts for the transport department, so the crawl opens
    # the official's pages (review, answer) with the demo's own review and answer.
    transport = Department.objects.get(slug="transport-policy")
    DepartmentOfficial.objects.get_or_create(user=staff, department=transport)
    extra = {
        # the bus arrival boards: reviewed with changes, also routed to a second department
        "department_review": DepartmentReview.objects.filter(
            proposal__cycle=review, department=transport
        )
        .order_by("-pk")
        .first(),
        "answer": Escalation.objects.get(
            proposal__cycle=review, step__threshold=5, answered_at__isnull=False
        ),
        "forum": Escalation.objects.get(
            proposal__cycle=review, step__action="forum", answered_at__isnull=True
        ),
    }
    # a survey count (the weighted rule's survey source), so its admin list has a row
    SurveyCount.objects.get_or_create(proposal=reviewed, defaults={"count": 12})
    return City(
        resident=resident,
        council=council,
        staff=staff,
        current=current,
        review=review,
        voting=voting,
        voted=voted,
        published=published,
        voting_scope=voting_scope,
        voted_scope=voted_scope,
        published_scope=published.scopes.get(district__isnull=True),
        own_proposal=Proposal.objects.filter(author=resident, cycle=current).get(),
        mapped_proposal=mapped,
        reviewed_proposal=reviewed,
        funded_project=funded.proposal,
        own_comment=own_comment,
        report=report,
        group=Group.objects.create(name="예산과 담당"),
        unconfirmed_email=address,
        meeting=Meeting.objects.filter(cycle=current).order_by("pk").first(),
        course=course,
        school_session=course.sessions.get(kind=CourseSession.Kind.IN_PERSON),
        certificate=Enrolment.objects.filter(course=course, completed_at__isnull=False)
        .exclude(certificate_code="")
        .order_by("pk")
        .first(),
        extra=extra,
    )


@dataclass(frozen=True)
class Page:
    roles: tuple[Role, ...]
    kwargs: Callable[[City], dict] = lambda city: {}
    query: str = ""
    english: bool = False  # a key page: also checked in English
    lands_on: str | None = None  # the path it always redirects to for these roles
    # allauth asks for the password again before showing it when the login is older than
    # ACCOUNT_REAUTHENTICATION_TIMEOUT: the crawl gives it, then checks the page itself.
    reauthenticate: bool = False


def _cycle(name: str) -> Callable[[City], dict]:
    return lambda city: {"slug": getattr(city, name).slug}


def _scope(cycle: str, scope: str) -> Callable[[City], dict]:
    return lambda city: {"slug": getattr(city, cycle).slug, "scope_pk": getattr(city, scope).pk}


def _pk(name: str) -> Callable[[City], dict]:
    return lambda city: {"pk": getattr(city, name).pk}


def _extra(name: str) -> Callable[[City], dict]:
    return lambda city: {"pk": city.extra[name].pk}


def _office(scope: str | None = None) -> Callable[[City], dict]:
    """The demo's 구청 office (its officer is the demo admin) on the approval vote."""

    def kwargs(city: City) -> dict:
        office = Office.objects.get(name=DEMO_OFFICE_NAME)
        found = {"office_pk": office.pk, "slug": city.voting.slug}
        if scope is not None:
            found["scope_pk"] = getattr(city, scope).pk
        return found

    return kwargs


def _weighted_cycle(city: City) -> dict:
    return {"slug": WEIGHTED_SLUG}


def _assembly(city: City) -> Assembly:
    """The demo's general assembly (closed: attendance, votes, minutes, public tallies)."""
    return Assembly.objects.filter(cycle__slug=WEIGHTED_SLUG).order_by("pk").first()


def _staff_role(city: City) -> dict:
    """A moderator's role (the demo grants none): the staff roles page's revoke page."""
    person, _created = User.objects.get_or_create(
        email="moderator@example.kr", defaults={"is_staff": True}
    )
    role, _created = StaffRole.objects.get_or_create(
        user=person, role=StaffRole.Role.MODERATOR, district=None
    )
    return {"key": f"role-{role.pk}"}


def _reset_key(city: City) -> dict:
    return {
        "uidb36": user_pk_to_url_str(city.resident),
        "key": default_token_generator.make_token(city.resident),
    }


PAGES: dict[str, Page] = {
    # --- public pages --------------------------------------------------------------------------
    "home": Page(EVERYONE, english=True),
    "api-docs": Page(EVERYONE, english=True),
    "api-v1:openapi-view": Page(("anonymous",)),
    "budgeting:cycle-detail": Page(EVERYONE, _cycle("current"), english=True),
    "proposals:proposal-index": Page(EVERYONE, english=True),
    "proposals:proposal-list": Page(EVERYONE, _cycle("current"), english=True),
    "proposals:proposal-map": Page(EVERYONE, _cycle("current"), english=True),
    "proposals:proposal-detail": Page(EVERYONE, _pk("mapped_proposal"), english=True),
    "results:results-cycle": Page(EVERYONE, _cycle("published"), english=True),
    "assembly:detail": Page(
        EVERYONE, lambda city: {**_weighted_cycle(city), "pk": _assembly(city).pk}, english=True
    ),
    "results:results-scope": Page(EVERYONE, _scope("published", "published_scope"), english=True),
    "results:receipts": Page(("anonymous",), _scope("published", "published_scope")),
    "implementation:accountability": Page(EVERYONE, _cycle("published"), english=True),
    # --- allauth: signing up, logging in, recovering --------------------------------------------
    "account_login": Page(("anonymous",), english=True),
    "account_signup": Page(("anonymous",), english=True),
    "account_logout": Page(PEOPLE),
    "account_inactive": Page(("anonymous",)),
    "account_reauthenticate": Page(("resident",)),
    "account_email": Page(PEOPLE),
    "account_email_verification_sent": Page(("anonymous",)),
    "account_change_password": Page(("resident",)),
    # Only for accounts without a password; every role here has one, so allauth sends them on
    # to the change-password page (which is what is checked).
    "account_set_password": Page(("resident",), lands_on="/accounts/password/change/"),
    "account_reset_password": Page(("anonymous",)),
    "account_reset_password_done": Page(("anonymous",)),
    "account_reset_password_from_key": Page(("anonymous",), _reset_key),
    "account_reset_password_from_key_done": Page(("anonymous",)),
    "account_request_login_code": Page(("anonymous",)),
    # Shown after asking for a code: the crawl asks for one first (see the test).
    "account_confirm_login_code": Page(("anonymous",)),
    "account_confirm_email": Page(
        ("anonymous",), lambda city: {"key": EmailConfirmationHMAC(city.unconfirmed_email).key}
    ),
    # --- allauth: two-factor authentication -----------------------------------------------------
    # mfa_authenticate is the second step of every staff and council login: checked there.
    "mfa_authenticate": Page(("anonymous",)),
    "mfa_index": Page(PEOPLE),
    "mfa_reauthenticate": Page(("council",)),
    "mfa_activate_totp": Page(("resident",), reauthenticate=True),
    "mfa_deactivate_totp": Page(("council",), reauthenticate=True),
    "mfa_view_recovery_codes": Page(("council",), reauthenticate=True),
    "mfa_generate_recovery_codes": Page(("council",), reauthenticate=True),
    # --- a resident's own pages -----------------------------------------------------------------
    "accounts:dashboard": Page(PEOPLE, english=True),
    "accounts:profile": Page(PEOPLE, english=True),
    "proposals:my-proposals": Page(("resident",), english=True),
    "proposals:proposal-create": Page(("resident",), _cycle("current"), english=True),
    "proposals:proposal-edit": Page(("resident",), _pk("own_proposal")),
    "proposals:proposal-withdraw": Page(("resident",), _pk("own_proposal")),
    "proposals:comment-edit": Page(("resident",), _pk("own_comment")),
    "proposals:proposal-report": Page(("resident",), _pk("mapped_proposal")),
    "proposals:comment-report": Page(
        ("council",), lambda city: {"comment_pk": city.own_comment.pk}
    ),
    "voting:ballot-form": Page(("resident",), _scope("voting", "voting_scope"), english=True),
    # every pot of the Seoul-style cycle the resident may vote in: city, two tracks, their gu
    "voting:ballot-page": Page(("resident",), lambda city: {"slug": "seoul-2027"}),
    "voting:ballot-receipt": Page(("resident",), _scope("voted", "voted_scope"), english=True),
    "voting:ballot-withdraw": Page(("resident",), _scope("voted", "voted_scope")),
    "proposals:co-authors": Page(("resident",), _pk("own_proposal")),
    "proposals:invitations": Page(("resident",)),
    # The resident has no ballot in the published cycle (its ballots are the demo's anonymous
    # ones): the page says so instead of showing a spent share.
    "results:my-share": Page(("resident",), _scope("published", "published_scope")),
    # --- privacy (처리방침) and a resident's own data ---------------------------------------------
    "privacy:policy": Page(("anonymous", "resident"), english=True),
    "privacy:my-data": Page(PEOPLE, english=True),
    # The consent and deletion forms post here; a GET shows the same page as privacy:my-data.
    "privacy:consents": Page(("resident",)),
    "privacy:delete": Page(("resident",)),
    # --- the citizens' committee and the budget school ------------------------------------------
    "committee:public": Page(EVERYONE, _cycle("current"), english=True),
    "committee:apply": Page(("resident",), _cycle("current"), english=True),
    "committee:meeting": Page(("anonymous",), _pk("meeting")),
    "committee:course": Page(("anonymous", "resident", "council"), _pk("course"), english=True),
    "committee:certificate": Page(
        ("anonymous",), lambda city: {"code": city.certificate.certificate_code}
    ),
    # --- council (MFA) --------------------------------------------------------------------------
    "proposals:council-home": Page(("council",), english=True),
    "proposals:review-queue": Page(("council",), _cycle("review"), english=True),
    "proposals:review-proposal": Page(("council",), _pk("reviewed_proposal"), english=True),
    "proposals:review-feasibility": Page(("council",), _pk("reviewed_proposal")),
    "proposals:review-decide": Page(("council",), _pk("reviewed_proposal")),
    "proposals:review-merge": Page(("council",), _pk("reviewed_proposal")),
    "proposals:review-score": Page(("council",), _pk("reviewed_proposal")),
    "proposals:review-recommend": Page(("council",), _pk("reviewed_proposal")),
    "proposals:review-step-aside": Page(("council",), _pk("reviewed_proposal")),
    "committee:interests": Page(("council",), _cycle("current")),
    # --- budget office (MFA) --------------------------------------------------------------------
    "accounts:staff-residents": Page(("staff",), english=True),
    "accounts:staff-residents-csv": Page(("staff",)),
    "voting:staff-paper-ballots": Page(("staff",), _cycle("voting")),
    "channels:code-start": Page(("anonymous",), english=True),
    "channels:phone-vote": Page(("anonymous",), _cycle("voting"), english=True),
    "channels:account-phone": Page(("resident",)),
    "channels:staff-code-batches": Page(("staff",), _cycle("voting")),
    "channels:kiosk": Page(("staff",), _office()),
    "channels:kiosk-phone": Page(("staff",), _office()),
    "channels:walk-in-paper": Page(("staff",), _office("voting_scope")),
    "channels:paper-sheet": Page(("staff",), _office("voting_scope")),
    "channels:paper-correct": Page(("staff",), _office("voting_scope")),
    "voting:staff-paper-ballot": Page(("staff",), _scope("voting", "voting_scope")),
    "results:staff-tally": Page(("staff",), _cycle("published"), english=True),
    "implementation:staff-implementation": Page(("staff",), _cycle("published")),
    "implementation:staff-implementation-update": Page(("staff",), _pk("funded_project")),
    "implementation:staff-budget-cut": Page(("staff",), _pk("funded_project")),
    "proposals:moderation-queue": Page(("staff",)),
    "committee:staff-console": Page(("staff",), _cycle("current"), english=True),
    # --- departments (issue #11) -----------------------------------------------------------------
    "departments:forum": Page(("anonymous", "resident"), _extra("forum")),
    "departments:desk": Page(("staff",), english=True),
    "departments:review": Page(("staff",), _extra("department_review")),
    "departments:route": Page(
        ("staff",), lambda city: {"pk": city.extra["department_review"].proposal_id}
    ),
    "departments:answer": Page(("staff",), _extra("answer")),
    "departments:cycle-settings": Page(("staff",), _cycle("review")),
    "committee:staff-meeting-new": Page(("staff",), _cycle("current")),
    "committee:staff-meeting": Page(
        ("staff",), lambda city: {"slug": city.current.slug, "pk": city.meeting.pk}
    ),
    "committee:staff-school": Page(("staff",), _cycle("current")),
    "committee:staff-attendance": Page(("staff",), _pk("school_session")),
    # --- the budget office console: set-up wizard and phase control room ----------------------
    # (the other wizard steps and confirmation pages are checked by tests/e2e/test_console.py)
    "console:cycles": Page(("staff",), english=True),
    "console:wizard-new": Page(("staff",)),
    "console:wizard-summary": Page(("staff",), _cycle("current")),
    "console:wizard-step": Page(
        ("staff",), lambda city: {"slug": city.current.slug, "step": "pots"}
    ),
    "console:wizard-pot-add": Page(("staff",), _cycle("current")),
    "console:wizard-pot": Page(  # frozen: voting has opened
        ("staff",), lambda city: {"slug": city.voting.slug, "pk": city.voting_scope.pk}
    ),
    "console:control": Page(("staff",), _cycle("voting"), english=True),
    "console:staff-roles": Page(("staff",), english=True),
    "console:staff-role-revoke": Page(("staff",), _staff_role),
    "console:control-action": Page(
        ("staff",), lambda city: {"slug": city.voting.slug, "action": "next"}
    ),
    # console: pre-publication checks, turnout dashboards, exports (oversight, issue #14)
    "console:checks": Page(("staff",), _cycle("published"), english=True),
    "console:dashboard": Page(("staff",), _cycle("voting")),
    "console:population": Page(("staff",), _cycle("voting")),
    "console:exports": Page(("staff",), _cycle("published")),
    "assembly:staff-list": Page(("staff",), _weighted_cycle, english=True),
    # seocho-2026 has no survey source: the page says so (its form: test_weighted_pages.py)
    "console:survey": Page(("staff",), _weighted_cycle),
    "assembly:staff-console": Page(("staff",), lambda city: {"pk": _assembly(city).pk}),
    "assembly:staff-vote": Page(
        ("staff",),
        lambda city: {
            "pk": _assembly(city).pk,
            "attendance_pk": _assembly(city).attendances.order_by("pk").first().pk,
        },
    ),
    # --- the Django admin (staff, MFA); model pages are generated by admin_pages() -------------
    "admin:index": Page(("staff",), english=True),
    "admin:password_change": Page(("staff",)),
    "admin:password_change_done": Page(("staff",)),
    "admin:auth_user_password_change": Page(("staff",), lambda city: {"id": city.resident.pk}),
}

# app_list takes the app label as a kwarg: one visit per app with a registered model.
ADMIN_APP_LIST = "admin:app_list"

# The object whose admin pages are opened, where the newest row is not a good one (its delete
# page would list thousands of related rows).
ADMIN_OBJECTS: dict[str, Callable[[City], models.Model]] = {
    "budgeting.BudgetCycle": lambda city: city.voting,
    "accounts.User": lambda city: city.resident,
    "accounts.ResidentProfile": lambda city: city.resident.resident_profile,
    "proposals.Proposal": lambda city: city.own_proposal,
    "budgeting.District": lambda city: city.voting_scope.district,
    "budgeting.ImplementationUpdate": lambda city: ImplementationUpdate.objects.order_by(
        "-pk"
    ).first(),
    "budgeting.BudgetCut": lambda city: BudgetCut.objects.order_by("-pk").first(),
}
ADMIN_MODEL_VIEWS = ("changelist", "add", "change", "history", "delete")
# Every model's admin pages are checked on a desktop (where the budget office uses the admin);
# at 390 px, the admin's index, app pages and these models' pages (the same Django templates
# render every model).
ADMIN_ON_PHONE = frozenset({"budgeting.BudgetCycle", "accounts.User"})

EXCLUDED: dict[str, str] = {
    "channels:code-phone": "needs a typed voting code in the session (tests/channels)",
    "channels:code-ballots": "needs a typed voting code in the session (tests/channels)",
    "channels:code-ballot": "needs a typed voting code in the session (tests/channels)",
    "channels:code-receipt": "needs a typed voting code in the session (tests/channels)",
    "channels:code-finish": "POST-only: ends a code voter's session",
    "channels:staff-code-sheet": "POST-only: prints a batch's codes once",
    "channels:staff-code-revoke": "POST-only: the revoke button of the batches list",
    "channels:kiosk-finish": "POST-only: returns the kiosk to its blank screen",
    "channels:phone-vote-about": "needs an SMS-verified number in the session (tests/channels)",
    "channels:phone-vote-ballots": "needs an SMS-verified number in the session (tests/channels)",
    "channels:phone-vote-ballot": "needs an SMS-verified number in the session (tests/channels)",
    "channels:phone-vote-finish": "POST-only: ends a phone voter's session",
    "set_language": "POST-only: the language switch form posts to it",
    "api-v1:openapi-json": "JSON: the OpenAPI schema",
    "api-v1:api-root": "JSON API",
    "api-v1:list_cycles": "JSON API",
    "api-v1:get_cycle": "JSON API",
    "api-v1:get_cycle_turnout": "JSON API",
    "api-v1:list_scopes": "JSON API",
    "api-v1:list_policy_areas": "JSON API",
    "api-v1:list_results": "JSON API",
    "api-v1:get_result": "JSON API",
    "api-v1:list_allocations": "JSON API",
    "api-v1:list_implementation_updates": "JSON API",
    "api-v1:list_budget_cuts": "JSON API",
    "api-v1:list_audit_events": "JSON API",
    "api-v1:list_proposals": "JSON API",
    "api-v1:get_proposal": "JSON API",
    "admin:login": "redirects to allauth's login (checked as account_login)",
    "admin:logout": "POST-only",
    "admin:autocomplete": "JSON for the admin's autocomplete widgets",
    "admin:jsi18n": "JavaScript catalogue",
    "admin:view_on_site": "redirect to the object's public page",
    "admin:(?P<url>.*)$": "catch-all: redirects or 404",
    "mfa_download_recovery_codes": "download: the recovery codes as a text file",
    "accounts:staff-resident-verify": "POST-only: the verify button of the residents list",
    "voting:ballot-submit": "POST-only: the ballot form's confirm step posts here",
    "results:results-download": "downloads: CSV, JSON and .pb files",
    "results:weighted-sources": "download: a weighted count's sources as JSON",
    "results:source-ballots": "download: one source's anonymised ballots as a .pb file",
    "results:recompute": "download: the recompute script (Python source)",
    "implementation:project-follow": "POST-only: the follow button",
    "proposals:proposal-similar": (
        "HTML fragment fetched by the proposal form (shown inside proposal-create)"
    ),
    "proposals:proposal-endorse": "POST-only: the endorse button",
    "proposals:comment-create": "POST-only: the comment form of the proposal page",
    "proposals:moderation-hide-proposal": "POST-only: a button of the moderation queue",
    "proposals:moderation-hide-comment": "POST-only: a button of the moderation queue",
    "proposals:moderation-dismiss-report": "POST-only: a button of the moderation queue",
    "health": "JSON: the readiness check (up/down; each check for operators)",
    "metrics": "Prometheus metrics for operators (plain text)",
    "media": "uploaded files and published downloads, after a permission check",
    "privacy:download": "download: the resident's personal data as JSON",
    "budgeting:audit-trail": "JSON: the cycle's audit trail",
    "console:export": "download: an officials' CSV or XLSX export",
    "console:wizard-pot-remove": "POST-only: the remove button of the wizard's pots step",
    "results:receipts-download": "download: the counted receipt codes as a text file",
    "committee:draw-file": "download: the draw's applicant table and quotas as CSV",
    "departments:export": "download: the review queue or the answers as CSV or XLSX",
    "committee:enrol": "POST-only: the enrol button of the course page",
    "committee:studied": "POST-only: a session's 'I studied it' form on the course page",
}


def _admin_redirect_route(key: str) -> bool:
    """The admin's unnamed ``<model>/<object_id>/`` routes redirect to the change page."""
    return key.startswith("admin:") and key.endswith("/<path:object_id>/")


@dataclass(frozen=True)
class Pattern:
    key: str  # namespace:name, or namespace: + route for unnamed patterns
    route: str


def enumerate_patterns() -> list[Pattern]:
    """Every URL pattern of the project, recursively."""
    found: list[Pattern] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                label = entry.name or (route.split("/", 1)[1] if "/" in route else route)
                key = f"{namespace}:{label}" if namespace else label
                if not entry.name and namespace == "admin":
                    key = f"admin:{route.removeprefix('admin/')}"
                found.append(Pattern(key=key, route=route))

    walk(get_resolver(), "", "")
    return found


def admin_pages() -> dict[str, tuple[type[models.Model], str]]:
    """``admin:<app>_<model>_<view>`` -> (model, view) for every registered ModelAdmin."""
    pages = {}
    for model in admin.site._registry:
        opts = model._meta
        for view in ADMIN_MODEL_VIEWS:
            pages[f"admin:{opts.app_label}_{opts.model_name}_{view}"] = (model, view)
    return pages


def admin_refuses(model: type[models.Model], view: str, staff: User) -> bool:
    """The admin does not offer this view of this model, even to a superuser (read-only
    records such as the audit trail or ballots' side tables): it answers 403, nothing to see."""
    request = RequestFactory().get("/admin/")
    request.user = staff
    model_admin = admin.site._registry[model]
    if view == "add":
        return not model_admin.has_add_permission(request)
    if view == "delete":
        return not model_admin.has_delete_permission(request)
    return False


def unlisted(patterns: list[Pattern]) -> list[str]:
    """Patterns the table does not know: each must be added to PAGES or EXCLUDED."""
    generated = admin_pages()
    return [
        f"{pattern.key}  ({pattern.route})"
        for pattern in patterns
        if pattern.key not in PAGES
        and pattern.key not in EXCLUDED
        and pattern.key not in generated
        and pattern.key != ADMIN_APP_LIST
        and not _admin_redirect_route(pattern.key)
    ]
