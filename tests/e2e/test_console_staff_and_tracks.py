"""On a phone (390 px), in Korean: the budget office adds a themed youth track (ages 19–39, its
own ballot limit) and a dong pot in the wizard, then grants a district officer's role and
revokes it on the staff roles page; every page fits the screen's width and passes axe-core."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from accounts.models import StaffRole
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.e2e.browser import Journey
from tests.e2e.test_console import PHONE
from tests.e2e.test_console import _staff
from tests.e2e.test_console import _submit
from tests.helpers import cycle_in_phase


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide on a 390 px phone"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_tracks_in_the_wizard_and_staff_roles_on_a_phone(live_server, new_context):
    journey = Journey(new_context, live_server.url, PHONE)
    district, staff, secret = _staff()
    DistrictFactory(
        slug="bupyeong-1-dong", name_ko="부평1동", name_en="Bupyeong 1-dong", parent=district
    )
    cycle = cycle_in_phase(BudgetCycleFactory(total_budget_won=50_000_000_000), Phase.DRAFT)
    newcomer = ResidentProfileFactory(district=district, user__email="officer@example.kr").user
    office = journey.open()
    journey.log_in(office, staff.email, totp_secret=secret)

    # --- a themed youth track and a dong pot ---------------------------------------------------
    journey.go(office, f"/staff/console/cycles/{cycle.slug}/setup/pots/")
    office.get_by_role("link", name="예산 단위 또는 주제 트랙 추가").click()
    journey.check(office)
    _fits_the_screen(office)
    office.fill("#id_budget_won", "10000000000")
    office.fill("#id_track_name_ko", "청년")
    office.fill("#id_track_name_en", "Youth")
    office.fill("#id_track_slug", "youth")
    office.fill("#id_track_theme_ko", "만 19~39세 청년이 제안하고 투표하는 사업입니다.")
    office.fill("#id_minimum_age", "19")
    office.fill("#id_maximum_age", "39")
    office.fill("#id_max_choices", "3")
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/pots/$"))
    office.get_by_role("link", name="예산 단위 또는 주제 트랙 추가").click()
    office.locator('input[name="level"][value="dong"]').check()
    office.select_option("#id_dong", label="부평구 · 부평1동")
    office.fill("#id_budget_won", "30000000")
    _submit(office)
    expect(office).to_have_url(re.compile(r"/setup/pots/$"))
    expect(office.locator("main")).to_contain_text("시 전체 · 청년")
    expect(office.locator("main")).to_contain_text("부평구 · 부평1동")
    journey.check(office)
    _fits_the_screen(office)
    scopes = BudgetCycle.objects.get(pk=cycle.pk).scopes
    assert scopes.get(track_slug="youth").maximum_age == 39
    assert scopes.get(district__slug="bupyeong-1-dong").level == "dong"

    # --- a district officer's role, granted then revoked --------------------------------------
    journey.go(office, "/staff/console/cycles/")
    office.get_by_role("link", name="담당자 역할").click()
    expect(office).to_have_url(re.compile(r"/staff/roles/$"))
    journey.check(office)
    _fits_the_screen(office)
    office.fill("#id_email", "officer@example.kr")
    office.locator('input[name="role"][value="district_officer"]').check()
    office.select_option("#id_district", str(district.pk))
    office.fill("#id_reason", "부평구 종이 투표 담당자로 발령")
    _submit(office)
    expect(office.locator(".alert-success")).to_contain_text("officer@example.kr")
    journey.check(office)
    _fits_the_screen(office)
    role = StaffRole.objects.get(user=newcomer)
    office.locator(f'a[href="/staff/roles/role-{role.pk}/revoke/"]').click()
    journey.check(office)
    _fits_the_screen(office)
    office.fill("#id_reason", "인사 이동")
    _submit(office)
    expect(office).to_have_url(re.compile(r"/staff/roles/$"))
    assert not StaffRole.objects.filter(user=newcomer).exists()
