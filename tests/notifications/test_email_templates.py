"""Every e-mail the platform sends, in Korean and in English: links that open, text that reads.

Renders every e-mail template (ours under ``templates/**/emails/`` and allauth's account and MFA
e-mails, with our overrides) with real objects, in both languages, and checks:

* every link stands alone (its own line, or whitespace on both sides), so a mail app's
  auto-linker cannot swallow the next word, and it opens (an app link answers < 400 to a GET);
* the Korean text has no "이(가)"-style particle that depends on a name;
* the English text has no Korean in it but the names it quotes, and the Korean text is Korean.

A template without a context here fails the test: a new e-mail must be added.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.models import EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from budgeting.phases import Phase
from committee.models import Course
from committee.models import Enrolment
from core.links import absolute_url
from departments.models import Department
from departments.models import DepartmentReview
from notifications.models import OutboxMessage
from notifications.services import _render
from notifications.services import send_pending_messages
from proposals.models import FeasibilityReview
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from voting.services.ballots import start_ballot
from voting.services.ballots import submit_ballot
from voting.services.reminders import send_voting_reminders

OURS = Path(settings.BASE_DIR) / "templates"
ALLAUTH = Path(allauth.__file__).parent / "templates"
ALLAUTH_APPS = ("account", "mfa")  # the allauth apps installed (no socialaccount)

URL = re.compile(r"https?://\S+")
URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
NAME_PARTICLE = re.compile(r"\((?:이|가|을|를|은|는|와|과|으|아|야)\)")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _prefixes() -> set[str]:
    found = {
        str(path.relative_to(OURS))[: -len("_subject.txt")]
        for path in OURS.glob("**/emails/*_subject.txt")
    }
    for app in ALLAUTH_APPS:
        found |= {
            f"{app}/email/{path.name[: -len('_subject.txt')]}"
            for path in (ALLAUTH / app / "email").glob("*_subject.txt")
        }
    return found


@pytest.fixture
def world(db, district):
    """Real objects for the links: a cycle in voting with a scope and a proposal on it, a
    published cycle, a resident with a verified address."""
    voting = cycle_in_phase(
        BudgetCycleFactory(name_ko="2027 참여예산", name_en="2027 Participatory Budget"),
        Phase.VOTING,
    )
    scope = BallotScopeFactory(cycle=voting, district=district)
    proposal = ProposalFactory(cycle=voting, scope=scope, title="놀이터 그늘막 설치")
    published = cycle_in_phase(BudgetCycleFactory(), Phase.PUBLISHED)
    user = ResidentProfileFactory(district=district, display_name="김주민").user
    address = EmailAddress.objects.get_or_create(user=user, email=user.email)[0]
    return {
        "voting": voting,
        "scope": scope,
        "proposal": proposal,
        "published": published,
        "user": user,
        "address": address,
    }


def _contexts(w: dict) -> dict[str, list[dict]]:
    """Every e-mail template prefix with the contexts it is sent with (one per variant)."""
    voting, scope, proposal, user = w["voting"], w["scope"], w["proposal"], w["user"]
    proposal_url = absolute_url(proposal.get_absolute_url())
    end = f"{timezone.localtime(voting.voting_end_at):%Y-%m-%d %H:%M}"
    receipt = {
        "receipt": "7KQ4-MX2P-9HTA-C3VE",
        "cycle_name": "2027 참여예산",
        "cycle_slug": voting.slug,
        "scope_name": "중구",
        "voting_end_at": end,
    }
    codes = [FeasibilityReview.ReasonCode.values[0]]
    ours = {
        "budgeting/emails/ballot_receipt": [
            {**receipt, "is_paper": False, "is_change": False},
            {**receipt, "is_paper": False, "is_change": True},
            {**receipt, "is_paper": True, "is_change": False},
        ],
        "budgeting/emails/voting_reminder": [
            {
                "cycle_name": "2027 참여예산",
                "scope_name": "중구",
                "voting_end_at": end,
                "ballot_url": absolute_url(
                    reverse(
                        "voting:ballot-form", kwargs={"slug": voting.slug, "scope_pk": scope.pk}
                    )
                ),
            }
        ],
        "notifications/emails/phase_opened": [
            {
                "cycle_name": "2027 참여예산",
                "phase": "proposals",
                "url": absolute_url(voting.get_absolute_url()),
            },
            {
                "cycle_name": "2027 참여예산",
                "phase": "voting",
                "voting_end": end,
                "url": absolute_url(voting.get_absolute_url()),
            },
            {
                "cycle_name": "2027 참여예산",
                "phase": "published",
                "url": absolute_url(
                    reverse("results:results-cycle", kwargs={"slug": w["published"].slug})
                ),
            },
        ],
        "notifications/emails/project_changed": [
            {
                "proposal_title": proposal.title,
                "change": "cut",
                "kind": "cut",
                "amount_won": 5_000_000,
                "reason": "시의회 예산 조정",
                "url": proposal_url,
            },
            {
                "proposal_title": proposal.title,
                "change": "cut",
                "kind": "reduce",
                "amount_won": 1_000_000,
                "reason": "단가 조정",
                "url": proposal_url,
            },
            {
                "proposal_title": proposal.title,
                "change": "update",
                "status": "in_progress",
                "percent_done": 40,
                "spent_won": 2_000_000,
                "note": "설계 완료",
                "url": proposal_url,
            },
        ],
        "notifications/emails/test_message": [{"name": "김주민", "code": "T-1"}],
        "proposals/emails/council_decision": [
            {
                "proposal_title": proposal.title,
                "decision": "on_ballot",
                "public_reason": "주민 수요가 큼",
                "reviewed_cost_won": 30_000_000,
                "revision": 1,
                "url": proposal_url,
            },
            {
                "proposal_title": proposal.title,
                "decision": "rejected",
                "public_reason": "중복 사업",
                "reviewed_cost_won": None,
                "revision": 2,
                "url": proposal_url,
            },
        ],
        "proposals/emails/feasibility_changed": [
            {
                "proposal_title": proposal.title,
                "is_infeasible": True,
                "reason_codes": codes,
                "url": proposal_url,
            },
            {
                "proposal_title": proposal.title,
                "is_infeasible": False,
                "reason_codes": [],
                "url": proposal_url,
            },
        ],
        "proposals/emails/co_author_invitation": [
            {
                "proposal_title": proposal.title,
                "author_name": "김주민",
                "url": absolute_url(reverse("proposals:invitations")),
                "proposal_url": proposal_url,
            }
        ],
        **_committee_contexts(w),
        **_departments_contexts(w),
        "proposals/emails/proposals_merged": [
            {
                "survivor_title": proposal.title,
                "survivor_url": proposal_url,
                "merged_titles": ["그늘막 설치", "쉼터 조성"],
                "public_reason": "같은 목적",
            },
        ],
    }
    key = EmailConfirmationHMAC(w["address"]).key
    site = Site.objects.get_current()
    account = {
        "user": user,
        "email": user.email,
        "current_site": site,
        "request": None,
        "activate_url": absolute_url(reverse("account_confirm_email", args=[key])),
        "password_reset_url": absolute_url(
            reverse(
                "account_reset_password_from_key",
                kwargs={
                    "uidb36": user_pk_to_url_str(user),
                    "key": default_token_generator.make_token(user),
                },
            )
        ),
        "signup_url": absolute_url(reverse("account_signup")),
        "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0",
        "timestamp": timezone.now(),
        "from_email": "old@example.org",
        "to_email": user.email,
        "deleted_email": "old@example.org",
    }
    allauth_contexts: dict[str, list[dict]] = {}
    for app in ALLAUTH_APPS:
        for path in (ALLAUTH / app / "email").glob("*_subject.txt"):
            prefix = f"{app}/email/{path.name[: -len('_subject.txt')]}"
            variants = [account]
            if (
                "code" in path.name
                or prefix.endswith("email_confirmation")
                or prefix.endswith("email_confirmation_signup")
            ):
                variants = [account, {**account, "code": "Q7P-3KD"}]
            allauth_contexts[prefix] = variants
    return {**ours, **allauth_contexts}


def _departments_contexts(w: dict) -> dict[str, list[dict]]:
    """The departments' e-mails (issue 11): an overdue review, a ladder step reached."""
    proposal = w["proposal"]
    department = Department.objects.create(
        name_ko="교통정책과", name_en="Transport", slug="traffic"
    )
    review = DepartmentReview.objects.create(proposal=proposal, department=department)
    proposal_url = absolute_url(proposal.get_absolute_url())
    return {
        "departments/emails/review_overdue": [
            {
                "proposal_title": proposal.title,
                "department": department.name_ko,
                "due_at": "2027년 5월 3일",
                "url": absolute_url(reverse("departments:review", kwargs={"pk": review.pk})),
            }
        ],
        "departments/emails/escalation_reached": [
            {
                "proposal_title": proposal.title,
                "threshold": threshold,
                "action": action,
                "due_at": "2027년 5월 17일",
                "url": proposal_url,
            }
            for threshold, action in (
                (50, "department_answer"),
                (100, "forum"),
                (1000, "office_answer"),
            )
        ],
    }


def _committee_contexts(w: dict) -> dict[str, list[dict]]:
    """The committee's e-mails (issue 10): the draw's outcome, a reserve called up, the
    budget-school certificate."""
    slug = w["voting"].slug
    committee_url = absolute_url(reverse("committee:public", kwargs={"slug": slug}))
    interests_url = absolute_url(reverse("committee:interests", kwargs={"slug": slug}))
    drawn = {
        "cycle_name": "2027 참여예산",
        "reserve_rank": None,
        "school_after": False,
        "url": committee_url,
        "interests_url": interests_url,
    }
    certificate = Enrolment.objects.create(
        course=Course.objects.create(cycle=w["voting"], title="예산학교", is_published=True),
        user=w["user"],
        completed_at=timezone.now(),
        certificate_code="2027-7F3A9C21",
    )
    return {
        "committee/emails/draw_outcome": [
            {**drawn, "outcome": "selected", "school_after": True},
            {**drawn, "outcome": "selected"},
            {**drawn, "outcome": "reserve", "reserve_rank": 3},
            {**drawn, "outcome": "not_selected"},
        ],
        "committee/emails/called_up": [
            {
                "cycle_name": "2027 참여예산",
                "seat": 41,
                "url": committee_url,
                "interests_url": interests_url,
            }
        ],
        "committee/emails/school_certificate": [
            {
                "course_title": "예산학교",
                "cycle_name": "2027 참여예산",
                "certificate_code": certificate.certificate_code,
                "url": absolute_url(
                    reverse("committee:certificate", kwargs={"code": certificate.certificate_code})
                ),
            }
        ],
    }


def _render_email(prefix: str, context: dict, language: str) -> tuple[str, str]:
    if prefix.split("/", maxsplit=1)[0] in ALLAUTH_APPS:
        with translation.override(language):
            message = get_adapter().render_mail(prefix, context["email"], context)
        return message.subject, message.body
    message = OutboxMessage(
        template=prefix, context=context, language=language, to_email="x@example.org"
    )
    email = _render(message)
    return email.subject, email.body


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return [str(value)] if value is not None else []


def _check_links(body: str, client: Client, where: str) -> int:
    site = Site.objects.get_current().domain
    found = 0
    for match in URL.finditer(body):
        url = match.group(0)
        found += 1
        before = body[match.start() - 1] if match.start() else "\n"
        assert before.isspace(), f"{where}: text runs into the start of {url!r}"
        assert URL_CHARS.fullmatch(url), f"{where}: text runs into the link: {url!r}"
        assert url[-1] not in ".,;:!?)”’", f"{where}: punctuation runs into the link: {url!r}"
        _scheme, rest = url.split("://", 1)
        host, _, path = rest.partition("/")
        if host in (site, "testserver"):
            response = client.get("/" + path)
            assert response.status_code < 400, f"{where}: {url} answers {response.status_code}"
    return found


@pytest.mark.django_db
def test_every_email_template_is_covered(world) -> None:
    assert set(_contexts(world)) == _prefixes()


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.django_db
def test_every_email_reads_well_and_its_links_open(world, language, client) -> None:
    links = 0
    for prefix, variants in sorted(_contexts(world).items()):
        for n, context in enumerate(variants):
            where = f"{prefix} #{n} ({language})"
            subject, body = _render_email(prefix, context, language)
            assert subject.strip()
            assert "\n" not in subject
            assert body.strip()
            links += _check_links(body, client, where)
            if language == "ko":
                assert HANGUL.search(subject + body), f"{where}: not in Korean"
                assert not NAME_PARTICLE.search(subject), f"{where}: {subject!r}"
                assert not NAME_PARTICLE.search(body), f"{where}: particle depends on a name"
            else:
                text = subject + "\n" + body
                for value in sorted(_strings(context), key=len, reverse=True):
                    text = text.replace(value, "")
                assert not HANGUL.search(text), f"{where}: Korean in the English e-mail: {text!r}"
    assert links >= 12  # the e-mails with links were really checked


@pytest.mark.django_db
def test_sign_up_mail_in_korean_has_the_link_on_its_own_line(client) -> None:
    client.cookies["django_language"] = "ko"
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long Passphrase 42",
            "password2": "a-long Passphrase 42",
            "consent_account": "on",
        },
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert HANGUL.search(message.subject)
    link_lines = [
        line for line in message.body.splitlines() if "://" in line and "/confirm-email/" in line
    ]
    assert len(link_lines) == 1
    assert URL.fullmatch(link_lines[0].strip())
    assert (
        Client().get("/" + link_lines[0].strip().split("://", 1)[1].partition("/")[2]).status_code
        == 200
    )


@pytest.mark.django_db
def test_account_mail_follows_the_residents_language_not_the_page(client, resident) -> None:
    profile = resident.resident_profile
    profile.preferred_language = "en"
    profile.save()
    EmailAddress.objects.update_or_create(
        user=resident, email=resident.email, defaults={"verified": True, "primary": True}
    )
    client.cookies["django_language"] = "ko"  # a Korean page

    client.post(reverse("account_reset_password"), {"email": resident.email})

    (message,) = mail.outbox
    assert not HANGUL.search(message.subject + message.body)
    assert "Password Reset" in message.subject


@pytest.mark.django_db
def test_receipt_mail_is_in_one_language_whatever_the_page(world) -> None:
    voter = world["user"]
    profile = voter.resident_profile
    profile.preferred_language = "ko"
    profile.verified_at = timezone.now() - timedelta(days=1)
    profile.save()
    proposal = world["proposal"]
    proposal.status = proposal.Status.ON_BALLOT
    proposal.save()
    with translation.override("en"):  # the page was in English
        submit_ballot(voter=voter, scope=world["scope"], choices={proposal.pk: 1})
    send_pending_messages()

    (message,) = mail.outbox
    assert "2027 참여예산" in message.subject + message.body
    assert "2027 Participatory Budget" not in message.subject + message.body
    assert "Thank you" not in message.body


@pytest.mark.django_db
def test_reminder_mail_has_a_full_link_on_its_own_line(world) -> None:
    voter = world["user"]
    profile = voter.resident_profile
    profile.preferred_language = "en"
    profile.verified_at = timezone.now() - timedelta(days=1)
    profile.save()
    start_ballot(voter=voter, scope=world["scope"])
    with translation.override("ko"):
        send_voting_reminders(now=world["voting"].voting_end_at - timedelta(hours=2))
    send_pending_messages()

    (message,) = mail.outbox
    assert "2027 Participatory Budget" in message.body
    lines = message.body.splitlines()
    url = absolute_url(
        reverse(
            "voting:ballot-form",
            kwargs={"slug": world["voting"].slug, "scope_pk": world["scope"].pk},
        )
    )
    assert url in lines
