"""Demo content for implementation tracking: the published 2026 cycle moves to implementation,
and its funded projects get progress updates (every status, money spent, notes, a photo) and
one cut and one reduction by the city council, all through the real services."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from PIL import ImageDraw

from accounts.models import User
from budgeting.models import BudgetCut
from budgeting.models import BudgetCycle
from budgeting.models import ImplementationUpdate
from budgeting.phases import Phase
from budgeting.services.cycles import advance_phase
from core.images import reencode_image
from implementation.selectors import get_cycle_accountability
from implementation.services import follow_project
from implementation.services import post_implementation_update
from implementation.services import record_budget_cut
from proposals.models import Endorsement

CUT_REASON = (
    "시의회 예산 심의에서 우선순위가 낮다는 이유로 전액 삭감되었습니다. 내년 주기에 다시 제안할 "
    "수 있습니다. / The city council cut the whole amount in its budget debate, ranking it "
    "below other spending; it may be proposed again next cycle."
)
REDUCTION_REASON = (
    "시의회가 단가 재산정 결과에 따라 예산의 30%를 감액했습니다. / The city council reduced the "
    "budget by 30% after the unit costs were re-estimated."
)
# (status, percent done, share of the funded money spent, note) for the projects in order; the
# third project is cut entirely and the fourth reduced before its update.
SCRIPT = [
    (
        "done",
        100,
        96,
        "공사를 마치고 개통했습니다. 남은 예산은 반납합니다. / Finished and opened to the "
        "public; the money left over goes back to the city.",
    ),
    (
        "in_progress",
        60,
        55,
        "설계를 마치고 공사 중입니다. 장마로 2주 늦어졌습니다. / Design done, works under way; "
        "the monsoon delayed them by two weeks.",
    ),
    None,  # cut entirely
    (
        "in_progress",
        30,
        20,
        "감액된 예산에 맞춰 규모를 줄여 발주했습니다. / Tendered at a smaller size to fit the "
        "reduced budget.",
    ),
    (
        "planned",
        0,
        0,
        "부서 배정을 마치고 내년 1분기 착공 예정입니다. / Assigned to a department; works start "
        "in the first quarter.",
    ),
]
DEFAULT_STEP = (
    "in_progress",
    45,
    40,
    "업체 선정을 마치고 진행 중입니다. / Contractor chosen, work in progress.",
)


def _demo_photo(color: tuple[int, int, int]):
    image = Image.new("RGB", (640, 400), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 220, 580, 360), fill=(90, 90, 90))
    draw.ellipse((440, 40, 560, 160), fill=(250, 220, 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return reencode_image(SimpleUploadedFile("demo.png", out.getvalue(), "image/png"))


@transaction.atomic
def seed_demo_implementation(*, cycle: BudgetCycle, admin: User, follower: User) -> None:
    """Idempotent: a cycle that already has updates or cuts is left as it is."""

    if cycle.phase == Phase.PUBLISHED:
        advance_phase(cycle=cycle, to=Phase.IMPLEMENTATION, actor=admin)
    proposals = [state.proposal for state in get_cycle_accountability(cycle=cycle).projects]
    if (
        ImplementationUpdate.objects.filter(proposal__in=proposals).exists()
        or BudgetCut.objects.filter(proposal__in=proposals).exists()
    ):
        return
    if proposals:  # the demo resident endorsed the first project back then, and follows it
        Endorsement.objects.get_or_create(proposal=proposals[0], user=follower)
        follow_project(user=follower, proposal=proposals[0])
    decided_on = timezone.localdate() - timedelta(days=200)
    for n, proposal in enumerate(proposals):
        step = SCRIPT[n] if n < len(SCRIPT) else DEFAULT_STEP
        state = get_cycle_accountability(cycle=cycle).projects[n]
        if step is None:
            record_budget_cut(
                proposal=proposal,
                actor=admin,
                amount_won=state.funded_won,
                reason=CUT_REASON,
                decided_on=decided_on,
            )
            post_implementation_update(
                proposal=proposal,
                actor=admin,
                status="cancelled",
                percent_done=0,
                spent_won=0,
                note="시의회 삭감으로 사업이 취소되었습니다. / Cancelled after the council's cut.",
            )
            continue
        if n == 3:
            record_budget_cut(
                proposal=proposal,
                actor=admin,
                amount_won=state.funded_won * 30 // 100,
                reason=REDUCTION_REASON,
                decided_on=decided_on,
            )
            state = get_cycle_accountability(cycle=cycle).projects[n]
        status, percent, spent_share, note = step
        if status != "planned":  # an earlier update, so the history has more than one step
            post_implementation_update(
                proposal=proposal,
                actor=admin,
                status="planned",
                percent_done=0,
                spent_won=0,
                note="담당 부서가 사업 계획을 세웠습니다. / The department drew up the plan.",
            )
        photos = [(_demo_photo((120, 170, 110 + 20 * n)), "현장 사진 / On site")] if n < 2 else []
        post_implementation_update(
            proposal=proposal,
            actor=admin,
            status=status,
            percent_done=percent,
            spent_won=state.funded_won * spent_share // 100,
            note=note,
            photos=photos,
        )
