"""The whole budget cycle in a real browser (Debian's Chromium driven by pytest-playwright).

A newcomer signs up, confirms their e-mail, completes their profile and is verified by the
budget office; they propose a project with a photo, a neighbour endorses and comments; staff
move the cycle on from the console's control room (with two-factor codes and a reason); a
council member reviews the proposal and puts it on the ballot with a public reason; residents
vote (knapsack on the main ballot, approval and cumulative on two small extra cycles), change
their vote and keep their receipts;
the votes are counted by a real Celery worker, staff publish, and anyone reads the results and
downloads the Pabulib file, whose votes match what was cast. Every page on the way passes
axe-core without a serious or critical violation.

Runs once on a phone in Korean and once on a desktop in English. With CHAMYEO_SCREENSHOTS=1 it
also saves screenshots of the main pages into docs/screenshots/journey/.
"""

import hashlib
import re
import time

import pytest
from django.core import mail
from playwright.sync_api import Page
from playwright.sync_api import expect

from accounts.models import User
from budgeting.models import BallotChoice
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.models import TallyRun
from budgeting.phases import Phase
from budgeting.tally.pabulib import read_pb_text
from proposals.models import Proposal
from proposals.review.services import record_council_decision
from proposals.review.services import record_feasibility_review
from tests.accounts.factories import PASSWORD
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import CouncilMembershipFactory
from tests.budgeting.factories import DistrictFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.e2e.browser import Device
from tests.e2e.browser import Journey
from tests.e2e.browser import photo_jpeg
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot

TALLY_TIMEOUT_SECONDS = 60
VOTED = {"ko": "투표를 완료했습니다", "en": "You have voted"}
STEP_REASON = {"ko": "일정대로 다음 단계로 넘어갑니다.", "en": "On to the next phase, as planned."}

# What residents write, in the language of the journey.
TEXT = {
    "ko": {
        "cycle": "2027년 인천 주민참여예산",
        "approval_cycle": "2026년 청소년 공간 추가 공모",
        "cumulative_cycle": "2026년 마을 축제 지원",
        "title": "굴포천 산책로 그늘 쉼터",
        "summary": "산책로에 그늘막과 의자가 있는 쉼터 세 곳을 만듭니다.",
        "description": "여름에 **그늘**이 없어 어르신들이 걷기 어렵습니다.",
        "address": "인천 부평구 굴포천 산책로",
        "comment": "저녁에 자주 걷는데 꼭 필요합니다. 조명도 함께 고려해 주세요.",
        "reason": "현장 확인 결과 설치 가능하며 비용이 적정합니다.",
        "others": [
            ("부평역 자전거 보관대 확충", "역 앞 보관대 200대 추가", 120_000_000),
            ("삼산동 어린이공원 바닥 분수", "여름철 아이들을 위한 바닥 분수", 80_000_000),
            ("경로당 냉난방기 교체", "낡은 냉난방기 12대 교체", 60_000_000),
            ("부평시장 공영주차장 안내판", "빈 자리를 알려 주는 안내판", 150_000_000),
        ],
        "name": "김하늘",
        "progress": "쉼터 한 곳의 기초 공사를 마쳤습니다. 나머지 두 곳은 다음 달에 시작합니다.",
    },
    "en": {
        "cycle": "Incheon participatory budget 2027",
        "approval_cycle": "2026 extra round: youth spaces",
        "cumulative_cycle": "2026 neighbourhood festivals",
        "title": "Shade shelters on the Gulpo stream path",
        "summary": "Three shelters with shade sails and benches along the path.",
        "description": "In summer there is no **shade**, so older residents cannot walk there.",
        "address": "Gulpo stream path, Bupyeong-gu, Incheon",
        "comment": "I walk there every evening; this is much needed. Please add lights too.",
        "reason": "Checked on site: it can be built and the cost is reasonable.",
        "others": [
            ("More bicycle racks at Bupyeong station", "200 more racks", 120_000_000),
            ("Splash pad in Samsan-dong playground", "Water play for summer", 80_000_000),
            ("New heating and cooling for senior centres", "12 old units", 60_000_000),
            ("Signs for the Bupyeong market car park", "Free spaces shown", 150_000_000),
        ],
        "name": "Haneul Kim",
        "progress": "The base of the first shelter is built; the other two start next month.",
    },
}


def _won(amount: int, language: str) -> str:
    digits = f"{amount:,}"
    return f"{digits}원" if language == "ko" else f"₩{digits}"


def _advance_in_console(journey: Journey, staff: Page, cycle: BudgetCycle, to: Phase) -> None:
    """Staff take the next step in the console's control room: its confirmation page, a reason."""
    journey.go(staff, f"/staff/console/cycles/{cycle.slug}/control/next/")
    staff.fill("#id_reason", STEP_REASON[journey.device.language])
    staff.locator("main form button[type=submit]").first.click()
    if to in (Phase.TALLYING, Phase.PUBLISHED):  # closing a vote, publishing: password again
        journey.reauthenticate_if_asked(staff)
    expect(staff.locator(".alert-success")).to_have_count(1)
    journey.check(staff)
    cycle.refresh_from_db()
    assert cycle.phase == to


def _vote(journey: Journey, page: Page, cycle, scope, *, choose, screenshot=None) -> str:
    """Fill the ballot (``choose`` ticks or types), confirm, submit; returns the receipt code."""
    journey.go(page, f"/cycles/{cycle.slug}/ballots/{scope.pk}/")
    choose(page)
    if screenshot:  # the meter shows the choices
        journey.screenshot(page, screenshot)
    page.locator("form.ballot-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/cycles/{cycle.slug}/ballots/{scope.pk}/$"))
    journey.check(page)  # the confirmation page
    page.locator(f'form[action$="/ballots/{scope.pk}/submit/"] button:not([name])').click()
    expect(page).to_have_url(re.compile(rf"/ballots/{scope.pk}/receipt/$"))
    expect(page.locator("h1")).to_have_text(VOTED[journey.device.language])
    return page.locator(".receipt-code code").inner_text()


def _wait_for(condition, what: str, timeout: float = TALLY_TIMEOUT_SECONDS):
    """Poll the database for work the Celery worker does (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


DEVICES = [
    pytest.param(Device("mobile", 390, 844, "ko"), id="phone-ko"),
    pytest.param(Device("desktop", 1280, 900, "en"), id="desktop-en"),
]


@pytest.mark.e2e
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", DEVICES)
def test_whole_cycle_in_the_browser(live_worker, live_server, new_context, device):
    text = TEXT[device.language]
    lang = device.language
    journey = Journey(new_context, live_server.url, device)

    # --- the city as the budget office set it up -------------------------------------------
    district = DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")
    DistrictFactory(slug="yeonsu-gu", name_ko="연수구", name_en="Yeonsu-gu")
    area = PolicyAreaFactory(slug="environment", name_ko="환경", name_en="Environment")
    cycle = BudgetCycleFactory(
        name_ko=TEXT["ko"]["cycle"],
        name_en=TEXT["en"]["cycle"],
        ballot_rule="knapsack",
        tally_rule="greedy",
        requires_verification=True,
    )
    cycle.policy_areas.add(area)
    cycle_in_phase(cycle, Phase.PROPOSALS)
    scope = BallotScopeFactory(cycle=cycle, district=district, budget_won=300_000_000)
    staff = ResidentProfileFactory(district=district, display_name="예산과").user
    staff.is_staff = staff.is_superuser = True
    staff.save()
    staff_secret = activate_totp(staff)
    member = ResidentProfileFactory(district=district, display_name="박위원").user
    CouncilMembershipFactory(cycle=cycle, user=member)
    member_secret = activate_totp(member)
    neighbour = ResidentProfileFactory(district=district, display_name="이웃").user
    others = [
        ProposalFactory(
            scope=scope,
            cycle=cycle,
            policy_area=area,
            title=title,
            summary=summary,
            cost_estimate_won=cost,
        )
        for title, summary, cost in text["others"]
    ]
    # Two small cycles already voting, one under each of the other ballot rules.
    approval_cycle = open_voting(
        BudgetCycleFactory(
            name_ko=TEXT["ko"]["approval_cycle"], name_en=TEXT["en"]["approval_cycle"]
        ),
        rule="approval",
        approval_max_choices=2,
    )
    approval_scope = BallotScopeFactory(cycle=approval_cycle, district=district)
    approval_projects = put_on_ballot(approval_scope, [10_000_000, 20_000_000, 30_000_000])
    cumulative_cycle = open_voting(
        BudgetCycleFactory(
            name_ko=TEXT["ko"]["cumulative_cycle"], name_en=TEXT["en"]["cumulative_cycle"]
        ),
        rule="cumulative",
        cumulative_points=10,
        cumulative_max_per_project=5,
    )
    cumulative_scope = BallotScopeFactory(cycle=cumulative_cycle, district=district)
    cumulative_projects = put_on_ballot(cumulative_scope, [5_000_000, 7_000_000, 9_000_000])

    # --- a newcomer signs up and confirms their e-mail -------------------------------------
    resident = journey.open()
    journey.go(resident, "/", screenshot="home")
    resident.locator("header.site-header a[href='/accounts/signup/']").click()
    journey.check(resident)
    email = f"haneul.{lang}@example.kr"
    resident.fill("#id_email", email)
    resident.fill("#id_password1", PASSWORD)
    resident.fill("#id_password2", PASSWORD)
    resident.check("#id_consent_account")
    resident.locator('form[action="/accounts/signup/"] button[type="submit"]').click()
    expect(resident).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    journey.check(resident)
    assert [message.to for message in mail.outbox] == [[email]]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    journey.go(resident, link.group(1))
    resident.locator('main form[method="post"] button[type="submit"]').click()

    # --- completes the profile --------------------------------------------------------------
    expect(resident).to_have_url(re.compile(r"/me/profile/$"))
    journey.check(resident)
    resident.fill("#id_display_name", text["name"])
    resident.select_option("#id_district", str(district.pk))
    resident.fill("#id_birth_year", "1990")
    resident.locator('input[name="relation"][value="lives"]').check()
    resident.locator('main form button[type="submit"]').click()
    expect(resident.locator(".alert-success, .alert-info").first).to_be_visible()
    journey.check(resident)
    user = User.objects.get(email=email)
    assert user.resident_profile.district == district
    assert user.resident_profile.verified_at is None

    # --- the budget office verifies the resident (the cycle requires it) ------------------
    office = journey.open()
    journey.log_in(office, staff.email, totp_secret=staff_secret)
    journey.go(office, f"/staff/residents/?q={email}")
    office.locator(
        f'form[action="/staff/residents/{user.resident_profile.pk}/verify/"] button'
    ).click()
    expect(office.locator(".alert-success")).to_be_visible()
    journey.check(office)
    user.resident_profile.refresh_from_db()
    assert user.resident_profile.verified_at is not None

    # --- proposes a project with a photo -------------------------------------------------
    journey.go(resident, cycle.get_absolute_url())
    resident.locator(f'a[href="/cycles/{cycle.slug}/proposals/new/"]').first.click()
    journey.check(resident)
    resident.fill("#id_title", text["title"])
    resident.fill("#id_summary", text["summary"])
    resident.fill("#id_description", text["description"])
    resident.fill("#id_cost_estimate_won", "45000000")
    resident.select_option("#id_policy_area", str(area.pk))
    resident.fill("#id_address", text["address"])
    resident.set_input_files(
        "#id_image",
        files=[{"name": "shelter.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}],
    )
    resident.click('button[name="action"][value="submit"]')
    proposal = _wait_for(lambda: Proposal.objects.filter(author=user).first(), "the proposal")
    expect(resident).to_have_url(re.compile(rf"{proposal.get_absolute_url()}$"))
    expect(resident.locator("h1")).to_have_text(text["title"])
    assert proposal.image.name.endswith(".jpg")
    expect(resident.locator("img.proposal-image")).to_have_js_property("naturalWidth", 640)
    journey.check(resident, screenshot="proposal")

    # --- a neighbour finds it, endorses and comments ---------------------------------------
    neighbour_page = journey.open()
    journey.log_in(neighbour_page, neighbour.email)
    journey.go(neighbour_page, f"/cycles/{cycle.slug}/proposals/", screenshot="proposals")
    neighbour_page.locator(f'a[href="{proposal.get_absolute_url()}"]').first.click()
    journey.check(neighbour_page)
    neighbour_page.locator('button[name="action"][value="endorse"]').click()
    expect(neighbour_page.locator('button[name="action"][value="withdraw"]')).to_be_visible()
    neighbour_page.fill("#comment-form textarea[name=body]", text["comment"])
    neighbour_page.locator("#comment-form button[type=submit]").click()
    expect(neighbour_page.get_by_text(text["comment"])).to_be_visible()
    journey.check(neighbour_page)
    assert proposal.endorsements.count() == 1

    # --- the proposal phase ends: staff move the cycle to council review ------------------
    _advance_in_console(journey, office, cycle, Phase.REVIEW)
    for other in others:  # the council's work on the other proposals, done earlier
        record_feasibility_review(
            proposal=other,
            reviewer=member,
            verdict="feasible",
            reviewed_cost_won=other.cost_estimate_won,
        )
        record_council_decision(
            proposal=other, decided_by=member, decision="on_ballot", public_reason=text["reason"]
        )

    # --- a council member reviews the proposal and puts it on the ballot ----------------
    council = journey.open()
    journey.log_in(council, member.email, totp_secret=member_secret)
    journey.go(council, f"/council/cycles/{cycle.slug}/")
    council.locator(f'a[href="/council/proposals/{proposal.pk}/"]').first.click()
    journey.check(council)
    council.locator(f'a[href="/council/proposals/{proposal.pk}/review/"]').click()
    journey.check(council)
    council.locator('input[name="verdict"][value="feasible"]').check()
    council.fill("#id_reviewed_cost_won", "42,000,000")
    council.fill("#id_technical_notes", text["reason"])
    council.locator('main form button[type="submit"]').click()
    expect(council).to_have_url(re.compile(rf"/council/proposals/{proposal.pk}/$"))
    council.locator(f'a[href="/council/proposals/{proposal.pk}/decide/"]').click()
    journey.check(council)
    council.locator('input[name="decision"][value="on_ballot"]').check()
    council.fill("#id_public_reason", text["reason"])
    council.locator('main form button[type="submit"]').click()
    expect(council).to_have_url(re.compile(rf"/council/proposals/{proposal.pk}/$"))
    journey.check(council)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reviewed_cost_won) == ("on_ballot", 42_000_000)
    # The author reads the decision and its public reason.
    journey.go(resident, proposal.get_absolute_url())
    expect(resident.get_by_text(text["reason"]).first).to_be_visible()

    # --- voting opens ------------------------------------------------------------------
    _advance_in_console(journey, office, cycle, Phase.VOTING)
    bikes, splash, heating, signs = others
    journey.go(resident, cycle.get_absolute_url())
    resident.locator(f'a[href="/cycles/{cycle.slug}/ballots/{scope.pk}/"]').first.click()
    expect(resident).to_have_url(re.compile(rf"/ballots/{scope.pk}/$"))

    def first_choice(page):
        for project in (proposal, bikes, splash):
            page.locator(f"#choice-{project.pk}").check()
        # The meter adds up the reviewed costs as the resident ticks.
        expect(page.locator("[data-meter-used]")).to_have_text(_won(242_000_000, lang))
        expect(page.locator("[data-meter-left]")).to_have_text(_won(58_000_000, lang))

    first_receipt = _vote(journey, resident, cycle, scope, choose=first_choice, screenshot="ballot")
    journey.check(resident, screenshot="receipt")

    # The resident changes their mind: the ballot page says they voted; a new receipt replaces
    # the old one.
    def second_choice(page):
        expect(page.locator(".alert-success[role=status]")).to_be_visible()
        for project in (bikes, splash):
            page.locator(f"#choice-{project.pk}").uncheck()
        for project in (heating, signs):
            page.locator(f"#choice-{project.pk}").check()
        expect(page.locator("[data-meter-used]")).to_have_text(_won(252_000_000, lang))

    second_receipt = _vote(journey, resident, cycle, scope, choose=second_choice)
    journey.check(resident)
    assert second_receipt != first_receipt
    journey.go(resident, cycle.get_absolute_url())
    expect(
        resident.locator(f'a[href="/cycles/{cycle.slug}/ballots/{scope.pk}/receipt/"]')
    ).to_be_visible()

    # The neighbour votes too.
    def neighbour_choice(page):
        for project in (proposal, splash):
            page.locator(f"#choice-{project.pk}").check()

    _vote(journey, neighbour_page, cycle, scope, choose=neighbour_choice)

    # The other ballot rules, on the two extra cycles.
    def approval_choice(page):
        for project in approval_projects[:2]:
            page.locator(f"#choice-{project.pk}").check()
        expect(page.locator("[data-meter-used]")).to_have_text("2")

    _vote(journey, resident, approval_cycle, approval_scope, choose=approval_choice)
    journey.check(resident)

    def cumulative_choice(page):
        for project, points in zip(cumulative_projects, (5, 3, 2), strict=True):
            page.fill(f"#points-{project.pk}", str(points))
        expect(page.locator("[data-meter-used]")).to_have_text("10")

    _vote(journey, resident, cumulative_cycle, cumulative_scope, choose=cumulative_choice)
    journey.check(resident)
    stored = BallotChoice.objects.filter(ballot__scope__in=[approval_scope, cumulative_scope])
    assert sorted(stored.values_list("proposal_id", "points")) == sorted(
        [(p.pk, 1) for p in approval_projects[:2]]
        + [(p.pk, n) for p, n in zip(cumulative_projects, (5, 3, 2), strict=True)]
    )

    # --- voting closes: a real Celery worker counts ----------------------------------------
    _advance_in_console(journey, office, cycle, Phase.TALLYING)
    run = _wait_for(
        lambda: TallyRun.objects.filter(scope=scope, is_official=True, status="succeeded").first(),
        "the count of the main ballot",
    )
    journey.go(office, f"/staff/cycles/{cycle.slug}/tally/")
    office.locator('form input[name="action"][value="publish"] ~ button').click()
    journey.reauthenticate_if_asked(office)  # unless done in the last 5 minutes
    expect(office.locator(".alert-success")).to_be_visible()
    journey.check(office)
    cycle.refresh_from_db()
    assert cycle.phase == Phase.PUBLISHED

    # --- anyone reads the results and downloads the Pabulib file ----------------------
    reader = journey.open()
    journey.go(reader, cycle.get_absolute_url())
    reader.locator(f'a[href="/cycles/{cycle.slug}/results/"]').first.click()
    journey.check(reader)
    _wait_for(
        lambda: ExportFile.objects.filter(tally_run=run, kind="pb", status="succeeded").exists(),
        "the .pb export",
    )
    journey.go(reader, f"/cycles/{cycle.slug}/results/{scope.pk}/", screenshot="results")
    funded_rows = reader.locator("tr.result-funded th a")
    expect(funded_rows).to_have_text([proposal.title, heating.title, splash.title])
    with reader.expect_download() as download_info:
        reader.locator(f'a[href$="/results/{scope.pk}/download/pb/"]').click()
    pb_bytes = download_info.value.path().read_bytes()
    # The file is the one counted: its SHA-256 is the fingerprint the page shows.
    assert hashlib.sha256(pb_bytes).hexdigest() == run.fingerprint
    expect(reader.locator("#downloads-heading + p code")).to_have_text(run.fingerprint)
    election = read_pb_text(pb_bytes.decode("utf-8"))
    assert election.meta["vote_type"] == "approval"  # knapsack ballots are approval ballots
    votes = {pid: int(row["votes"]) for pid, row in election.projects.items()}
    assert votes == {
        str(proposal.pk): 2,
        str(bikes.pk): 0,
        str(splash.pk): 1,
        str(heating.pk): 1,
        str(signs.pk): 1,
    }
    assert int(election.meta["num_votes"]) == 2

    # --- the resident checks that their ballot was counted: by its code, never its choices ---
    journey.go(resident, f"/cycles/{cycle.slug}/ballots/{scope.pk}/receipt/")
    resident.locator(f'a[href^="/cycles/{cycle.slug}/results/{scope.pk}/receipts/?code="]').click()
    journey.check(resident, screenshot="receipt-check")
    expect(resident.locator("#receipt-result.alert-success")).to_contain_text(second_receipt)
    expect(resident.locator("#receipt-count")).to_have_text("2")  # the .pb's two ballots
    # the code of the replaced ballot is not listed; a code typed loosely is read all the same
    resident.fill("#id_code", first_receipt.lower().replace("-", " "))
    resident.locator("main form button[type=submit]").click()
    expect(resident.locator("#receipt-result.alert-warning")).to_contain_text(first_receipt)
    journey.check(resident)
    with resident.expect_download() as download_info:
        resident.locator(f'a[href="/cycles/{cycle.slug}/results/{scope.pk}/receipts.txt"]').click()
    codes = download_info.value.path().read_text().split()
    assert len(codes) == int(election.meta["num_votes"])
    assert second_receipt in codes
    assert first_receipt not in codes
    assert codes == sorted(codes)  # code order, which says nothing about any ballot

    # --- the budget office reports progress; everyone sees where the money went --------
    journey.go(office, f"/staff/cycles/{cycle.slug}/implementation/")
    office.locator(f'a[href="/staff/projects/{proposal.pk}/implementation/update/"]').click()
    journey.check(office)
    office.select_option("#id_status", "in_progress")
    office.fill("#id_percent_done", "30")
    office.fill("#id_spent_won", "12000000")
    office.fill("#id_note", text["progress"])
    office.set_input_files(
        "#id_photo_1",
        files=[{"name": "works.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}],
    )
    office.locator('main form button[type="submit"]').click()
    expect(office.locator(".alert-success")).to_be_visible()
    journey.go(reader, f"/cycles/{cycle.slug}/accountability/", screenshot="accountability")
    expect(reader.get_by_text(_won(12_000_000, lang)).first).to_be_visible()
    journey.go(reader, proposal.get_absolute_url())
    expect(reader.get_by_text(text["progress"])).to_be_visible()
    expect(reader.locator("img.implementation-photo")).to_have_js_property("naturalWidth", 640)

    assert journey.js_errors == []  # no JavaScript error (CSP included) on any page
    assert journey.violations == [], "axe-core, serious or critical:\n" + "\n".join(
        journey.violations
    )
