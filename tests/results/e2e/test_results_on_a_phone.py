"""Results and accountability on a phone (390 px wide), in a real browser (Debian's Chromium).

On both pages, in Korean and in English: nothing scrolls sideways, no text sits on other text or
on a chart's bars, no text is cut off by its box, and axe-core finds no serious or critical
violation. The projects have long names, as real ones do.
"""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import ExportFile
from budgeting.models import Participation
from budgeting.phases import Phase
from implementation.services import post_implementation_update
from implementation.services import record_budget_cut
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from tests.accounts.factories import PASSWORD
from tests.accounts.factories import ResidentProfileFactory
from tests.e2e.browser import CHROMIUM
from tests.e2e.browser import CHROMIUM_ARGS
from tests.e2e.browser import describe_violations
from tests.helpers import cycle_in_phase
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope
from voting.shared import voter_key

PHONE = {"width": 390, "height": 844}
NAMES = [
    "굴포천 산책로 야간 조명과 안전 난간 설치",
    "부평구 어린이 놀이터 그늘막과 음수대 설치",
    "마을버스 정류장 온열 의자와 바람막이",
    "청소년 방과 후 공부방 리모델링 및 기자재 구입",
    "경로당 냉난방기 교체와 에너지 진단",
    "골목길 CCTV 추가 설치와 비상벨 연결",
    "전통시장 공용 장바구니 대여소 운영",
    "하천변 자전거 도로 포장 보수",
]

# Every text fragment on the page (one rectangle per line box), every chart bar, and every
# element whose own content is cut off (overflow hidden or clipped by its width).
MEASURE = """
(root) => {
  const main = document.querySelector(root);
  const texts = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (el.closest('.visually-hidden, title, desc, script, style, [hidden]')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      texts.push({text: node.textContent.trim().slice(0, 40), x: r.left, y: r.top,
                  right: r.right, bottom: r.bottom, el: el.tagName});
    }
  }
  const bars = [...main.querySelectorAll('svg rect')]
    .filter((r) => r.getBoundingClientRect().width > 0)
    .map((r) => { const b = r.getBoundingClientRect();
                  return {x: b.left, y: b.top, right: b.right, bottom: b.bottom}; });
  const clipped = [];
  for (const el of main.querySelectorAll('*')) {
    if (!el.textContent.trim() || el.closest('.visually-hidden, svg')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'inline' || style.display === 'none') continue;
    if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible') {
      clipped.push(el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 40));
    }
    if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
      clipped.push('ellipsis ' + el.tagName + ': ' + el.textContent.trim().slice(0, 40));
    }
  }
  return {texts, bars, clipped,
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth};
}
"""


def _overlap(a: dict, b: dict, tolerance: float = 1.0) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["x"], b["x"]) > tolerance
        and min(a["bottom"], b["bottom"]) - max(a["y"], b["y"]) > tolerance
    )


def _problems(page, path: str) -> list[str]:
    found = page.evaluate(MEASURE, "main")
    problems = []
    if found["scrollWidth"] > found["clientWidth"]:
        problems.append(
            f"{path}: scrolls sideways ({found['scrollWidth']} > {found['clientWidth']})"
        )
    texts = found["texts"]
    for i, a in enumerate(texts):
        if a["right"] > found["clientWidth"] + 1 or a["x"] < -1:
            problems.append(f"{path}: text outside the screen: {a['text']!r}")
        for b in texts[i + 1 :]:
            if _overlap(a, b):
                problems.append(f"{path}: {a['text']!r} overlaps {b['text']!r}")
        for bar in found["bars"]:
            if _overlap(a, bar):
                problems.append(f"{path}: a chart bar covers {a['text']!r}")
    problems += [f"{path}: cut off: {c}" for c in found["clipped"]]
    return problems


@pytest.fixture
def phone(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def published(transactional_db, district):
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")
    costs = [
        120_000_000,
        95_000_000,
        40_000_000,
        150_000_000,
        60_000_000,
        35_000_000,
        8_000_000,
        70_000_000,
    ]
    scope, projects = make_scope(cycle=cycle, budget_won=400_000_000, costs=costs)
    for project, name in zip(projects, NAMES, strict=True):
        project.title = name
        project.save(update_fields=["title"])
    p = projects
    voter = ResidentProfileFactory(district=district, display_name="한결").user
    ballot = Ballot.objects.create(
        voter_key=voter_key(user_id=voter.pk, scope_id=scope.pk), scope=scope
    )
    BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, proposal=p) for p in projects[2:4])
    Participation.objects.create(user=voter, scope=scope, voted_at=timezone.now())
    cast_ballots(
        scope=scope,
        ballots=[[p[0], p[1]]] * 40
        + [[p[2], p[3]]] * 25
        + [[p[4]]] * 12
        + [[p[5], p[6], p[7]]] * 9,
    )
    staff = ResidentProfileFactory(district=district).user
    staff.is_staff = staff.is_superuser = True
    staff.save()
    tally_scope(scope_id=scope.pk)
    publish_results(cycle_id=cycle.pk, actor=staff)
    for export in ExportFile.objects.all():
        build_export_file(export_file_id=export.pk)
    cycle = cycle_in_phase(cycle, Phase.IMPLEMENTATION)
    funded = [
        a.proposal
        for a in scope.tally_runs.get(is_official=True).allocations.filter(is_funded=True)
    ]
    record_budget_cut(
        proposal=funded[0],
        actor=staff,
        amount_won=20_000_000,
        reason="시의회 예산 심의에서 자재 단가를 낮추어 감액했습니다. 공사 범위는 그대로입니다.",
        decided_on=date(2027, 12, 15),
    )
    post_implementation_update(
        proposal=funded[1],
        actor=staff,
        status="in_progress",
        percent_done=40,
        spent_won=10_000_000,
        note="설계를 마치고 시공 업체를 정했습니다.",
    )
    return {"cycle": cycle, "scope": scope, "voter": voter}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["ko", "en"])
def test_results_and_accountability_read_on_a_phone(live_server, phone, published, language):
    cycle, scope = published["cycle"], published["scope"]
    context = phone.new_context(viewport=PHONE, locale="ko-KR" if language == "ko" else "en-US")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    paths = [
        reverse("results:results-scope", kwargs={"slug": cycle.slug, "scope_pk": scope.pk}),
        reverse("results:results-cycle", kwargs={"slug": cycle.slug}),
        reverse("implementation:accountability", kwargs={"slug": cycle.slug}),
    ]
    problems: list[str] = []
    violations: list[str] = []
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        problems += _problems(page, path)
        blocking = [
            v
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if blocking:
            violations.append(f"{path}:\n{describe_violations(blocking)}")
    # The pages really show what was measured: every project's full name, the reasons.
    page.goto(live_server.url + paths[0])
    body = page.inner_text("main")
    for name in NAMES:
        assert name in body
    context.close()
    assert not problems, "\n".join(problems)
    assert not violations, "\n".join(violations)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["ko", "en"])
def test_my_share_and_my_participation_read_on_a_phone(live_server, phone, published, language):
    cycle, scope, voter = published["cycle"], published["scope"], published["voter"]
    context = phone.new_context(viewport=PHONE, locale="ko-KR" if language == "ko" else "en-US")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", voter.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action="/accounts/login/"] button[type="submit"]').click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    share = reverse("results:my-share", kwargs={"slug": cycle.slug, "scope_pk": scope.pk})
    problems: list[str] = []
    violations: list[str] = []
    for path in (share, reverse("accounts:dashboard")):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        problems += _problems(page, path)
        blocking = [
            v
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if blocking:
            violations.append(f"{path}:\n{describe_violations(blocking)}")
    page.goto(live_server.url + share)
    paid = page.inner_text("#share-paid")
    assert NAMES[2] in paid  # the voter's share helped buy the project they chose
    context.close()
    assert not problems, "\n".join(problems)
    assert not violations, "\n".join(violations)
