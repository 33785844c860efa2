"""The budget office runs a cycle from the console alone, in a real browser, in Korean.

On a phone (390 px): a staff member who is not a superuser logs in with their second factor,
sets up a new cycle from scratch in the wizard (dates, pots against the total, a policy area,
ballot, counting, eligibility, thresholds), then runs it from the control room through every
phase: proposals open, review, voting (a resident votes), the deadline moved later, voting closed
early with a reason (password asked again), the count, publication, implementation. Every page
passes axe-core; no page of ``/admin/`` is ever opened; every step is in the audit log with its
reason, and the public timeline shows the real dates with the planned ones struck through.
On a desktop: the console's pages at 1280 px, also axe-checked.

The count itself is a worker's job (tests/e2e/test_whole_cycle.py runs one); here the test
calls the same services the worker would, right after the early close.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from playwright.sync_api import expect

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from results.services.counting import tally_scope
from results.services.tallying import close_voting
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import DistrictFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.e2e.browser import Device
from tests.e2e.browser import Journey
from tests.voting.factories import put_on_ballot
from voting.services.ballots import submit_ballot

PHONE = Device("mobile", 390, 844, "ko")
DESKTOP = Device("desktop", 1280, 900, "ko")
LOCAL = "%Y-%m-%dT%H:%M"


def _staff():
    district = DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")
    staff = ResidentProfileFactory(district=district, display_name="예산과").user
    staff.is_staff = True  # the budget office, not a superuser: the console, never the admin
    staff.save()
    return district, staff, activate_totp(staff)


def _forbid_admin(page: Page, visited: list[str]) -> None:
    page.on("framenavigated", lambda frame: visited.append(frame.url))


def _submit(page: Page) -> None:
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")


def _take_step(journey: Journey, page: Page, cycle: BudgetCycle, reason: str, to: Phase) -> None:
    """From the control room: the next step's button, its confirmation page, a reason."""
    page.locator(f'a[href="/staff/console/cycles/{cycle.slug}/control/next/"]').click()
    journey.check(page)
    page.fill("#id_reason", reason)
    _submit(page)
    journey.reauthenticate_if_asked(page)
    expect(page).to_have_url(re.compile(rf"/staff/console/cycles/{cycle.slug}/control/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    journey.check(page)
    cycle.refresh_from_db()
    assert cycle.phase == to, (cycle.phase, to)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_new_cycle_from_the_wizard_to_implementation_on_a_phone(live_server, new_context):
    journey = Journey(new_context, live_server.url, PHONE)
    district, staff, secret = _staff()
    area = PolicyAreaFactory(slug="environment", name_ko="환경", name_en="Environment")
    voter = ResidentProfileFactory(district=district, display_name="주민").user
    office = journey.open()
    visited: list[str] = []
    _forbid_admin(office, visited)
    journey.log_in(office, staff.email, totp_secret=secret)

    # --- the wizard: a cycle from scratch ---------------------------------------------------
    office.locator("header.site-header a[href='/staff/console/cycles/']").click()
    journey.check(office)
    office.locator("main a[href='/staff/console/cycles/new/']").click()
    journey.check(office)
    office.fill("#id_new-name_ko", "2028년 부평 주민참여예산")
    office.fill("#id_new-name_en", "Bupyeong participatory budget 2028")
    office.fill("#id_new-slug", "bupyeong-2028")
    office.fill("#id_new-year", "2028")
    office.locator("section[aria-labelledby=new-heading] button[type=submit]").click()
    expect(office).to_have_url(re.compile(r"/setup/dates/$"))
    journey.check(office)
    now = timezone.localtime()
    plan = {
        "proposals_start_at": now + timedelta(days=1),
        "proposals_end_at": now + timedelta(days=10),
        "voting_start_at": now + timedelta(days=20),
        "voting_end_at": now + timedelta(days=30),
        "results_expected_at": now + timedelta(days=37),
    }
    # first out of order: the review would have no time; said in plain words, nothing saved
    office.fill("#id_proposals_start_at", plan["proposals_start_at"].strftime(LOCAL))
    office.fill("#id_proposals_end_at", plan["voting_start_at"].strftime(LOCAL))
    office.fill("#id_voting_start_at", plan["proposals_end_at"].strftime(LOCAL))
    office.fill("#id_voting_end_at", plan["voting_end_at"].strftime(LOCAL))
    office.fill("#id_results_expected_at", plan["results_expected_at"].strftime(LOCAL))
    _submit(office)
    expect(office.locator("#id_voting_start_at_errors")).to_contain_text("검토할 시간")
    journey.check(office)
    for name, moment in plan.items():
        office.fill(f"#id_{name}", moment.strftime(LOCAL))
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/pots/$"))
    journey.check(office)
    office.fill("#id_total_budget_won", "500000000")
    office.locator("main form button[name=stay]").click()  # the total first
    expect(office).to_have_url(re.compile(r"/setup/pots/$"))
    office.get_by_role("link", name="예산 단위 또는 주제 트랙 추가").click()
    journey.check(office)
    office.fill("#id_budget_won", "300000000")  # the city-wide pot (the level by default)
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/pots/$"))
    office.get_by_role("link", name="예산 단위 또는 주제 트랙 추가").click()
    office.locator('input[name="level"][value="gu"]').check()
    office.select_option("#id_gu", str(district.pk))
    office.fill("#id_budget_won", "300000000")
    _submit(office)  # 600,000,000 > 500,000,000: refused
    expect(office.locator("#id_budget_won_errors")).to_contain_text("600,000,000")
    office.fill("#id_budget_won", "200000000")
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/pots/$"))
    journey.check(office)
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/areas/$"))
    journey.check(office)
    office.locator(f'input[name="areas"][value="{area.pk}"]').check()
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/ballot/$"))
    office.locator('input[name="ballot_rule"][value="approval"]').check()
    office.fill("#id_approval_max_choices", "2")
    office.locator("main form button[name=stay]").click()  # save and see the preview
    expect(office.locator("#preview-heading + div")).to_contain_text("2개 이하")
    journey.check(office)
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/count/$"))
    journey.check(office)
    office.locator('input[name="tally_rule"][value="greedy"]').check()
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/eligibility/$"))
    journey.check(office)
    office.fill("#id_minimum_age", "14")
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/thresholds/$"))
    journey.check(office)
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/$"))
    expect(office.locator(".alert-success[role=status]")).to_be_visible()  # all filled in
    journey.check(office)
    cycle = BudgetCycle.objects.get(slug="bupyeong-2028")
    assert (cycle.phase, cycle.ballot_rule, cycle.approval_max_choices) == ("draft", "approval", 2)
    assert cycle.scopes.count() == 2
    office.locator(f'a[href="/staff/console/cycles/{cycle.slug}/control/"]').click()
    journey.check(office)

    # --- the control room: every phase ------------------------------------------------------
    _take_step(journey, office, cycle, "2028년 제안 접수를 시작합니다.", Phase.PROPOSALS)
    _take_step(journey, office, cycle, "접수 기간을 마치고 심사합니다.", Phase.REVIEW)
    scope = cycle.scopes.get(district=district)
    projects = put_on_ballot(scope, [50_000_000, 80_000_000, 120_000_000])
    _take_step(journey, office, cycle, "심사를 마치고 투표를 시작합니다.", Phase.VOTING)
    submit_ballot(voter=voter, scope=scope, choices={projects[0].pk: 1, projects[1].pk: 1})

    # the deadline moves later (votes exist: only later)
    office.locator(f'a[href="/staff/console/cycles/{cycle.slug}/control/deadline/"]').click()
    journey.check(office)
    later = timezone.localtime(cycle.voting_end_at + timedelta(days=2))
    office.fill("#id_new_end", later.strftime(LOCAL))
    office.fill("#id_reason", "참여가 적어 이틀 연장합니다.")
    _submit(office)
    expect(office.locator(".alert-success")).to_be_visible()
    cycle.refresh_from_db()
    assert timezone.localtime(cycle.voting_end_at).strftime(LOCAL) == later.strftime(LOCAL)

    # closing early: the consequences, a reason, the password again
    office.locator(f'a[href="/staff/console/cycles/{cycle.slug}/control/next/"]').click()
    expect(office.locator("h1")).to_have_text("투표 조기 마감")
    expect(office.locator("main")).to_contain_text("다시 열 수 없습니다")
    journey.check(office)
    office.fill("#id_reason", "태풍 경보로 현장 투표소를 닫아 조기 마감합니다.")
    _submit(office)
    assert journey.reauthenticate_if_asked(office)
    expect(office.locator(".alert-success")).to_be_visible()
    cycle.refresh_from_db()
    assert cycle.phase == Phase.TALLYING
    close_voting(cycle_id=cycle.pk)  # what the worker does after the close
    for pot in cycle.scopes.all():
        tally_scope(scope_id=pot.pk)
    office.reload()
    journey.check(office)

    # The city-wide pot received no ballot: publishing is refused until the office has
    # acknowledged that warning with a reason on the pre-publication checks page.
    journey.go(office, f"/staff/console/cycles/{cycle.slug}/checks/")
    journey.check(office)
    warnings = office.locator("main form:has(textarea[name=reason])")
    assert warnings.count() >= 1
    while warnings.count():
        form = warnings.first
        form.locator("textarea[name=reason]").fill("시 전체 사업에는 투표가 없었음을 확인했습니다.")
        form.locator("button[type=submit]").click()
        office.wait_for_load_state("load")
        journey.reauthenticate_if_asked(office)
    expect(office.locator("main")).to_contain_text("시 전체 사업에는 투표가 없었음을 확인했습니다.")
    journey.go(office, f"/staff/console/cycles/{cycle.slug}/control/")
    _take_step(journey, office, cycle, "집계를 확인했고 결과를 공개합니다.", Phase.PUBLISHED)
    assert AuditEvent.objects.filter(
        cycle=cycle, event_type="publication_warning_acknowledged"
    ).exists()
    _take_step(journey, office, cycle, "선정 사업 집행을 시작합니다.", Phase.IMPLEMENTATION)
    expect(office.locator("#next-heading + p")).to_contain_text("마지막 단계")

    # --- what the public sees, and what the log keeps ---------------------------------------
    journey.go(office, cycle.get_absolute_url())
    voting_step = office.locator("ol.timeline li").nth(2)
    # opened and closed early: the planned opening and close are struck through
    expect(voting_step.locator("del")).to_have_count(2)
    journey.check(office)
    reasons = dict(
        AuditEvent.objects.filter(cycle=cycle, event_type="phase_advanced").values_list(
            "parameters__to_phase", "reason"
        )
    )
    assert reasons["tallying"] == "태풍 경보로 현장 투표소를 닫아 조기 마감합니다."
    assert set(reasons) == {
        "proposals",
        "review",
        "voting",
        "tallying",
        "published",
        "implementation",
    }
    assert AuditEvent.objects.filter(cycle=cycle, event_type="deadline_changed").count() == 1
    assert not [url for url in visited if "/admin/" in url]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_console_pages_on_a_desktop(live_server, new_context):
    journey = Journey(new_context, live_server.url, DESKTOP)
    _district, staff, secret = _staff()
    PolicyAreaFactory(slug="welfare", name_ko="복지", name_en="Welfare")
    office = journey.open()
    journey.log_in(office, staff.email, totp_secret=secret)
    journey.go(office, "/staff/console/cycles/new/")
    journey.check(office)
    office.fill("#id_new-name_ko", "2029년 주민참여예산")
    office.fill("#id_new-slug", "pb-2029")
    office.fill("#id_new-year", "2029")
    office.locator("section[aria-labelledby=new-heading] button[type=submit]").click()
    expect(office).to_have_url(re.compile(r"/setup/dates/$"))
    journey.check(office)
    for step in ("pots", "ballot", "count"):  # the other steps share these pages' layout
        journey.go(office, f"/staff/console/cycles/pb-2029/setup/{step}/")
        journey.check(office)
    journey.go(office, "/staff/console/cycles/pb-2029/control/")
    expect(office.locator("#next-heading + p + ul + p")).to_be_visible()  # no pot yet: refused
    journey.check(office)
