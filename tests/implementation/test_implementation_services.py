"""Implementation services: updates, cuts, following, and where the money went."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from budgeting.models import AuditEvent
from budgeting.models import BudgetCut
from budgeting.models import ImplementationUpdate
from budgeting.models import ProjectFollow
from budgeting.phases import Phase
from core.images import reencode_image
from implementation.selectors import get_cycle_accountability
from implementation.selectors import get_funded_project_state
from implementation.services import ImplementationError
from implementation.services import follow_project
from implementation.services import post_implementation_update
from implementation.services import record_budget_cut
from implementation.services import unfollow_project
from notifications.models import Announcement
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db


def update(project, staff_user, **overrides):
    values = {
        "status": "in_progress",
        "percent_done": 40,
        "spent_won": 30_000_000,
        "note": "기초 공사 중",
        **overrides,
    }
    return post_implementation_update(proposal=project, actor=staff_user, **values)


def test_update_is_public_audited_and_becomes_the_projects_state(project, staff_user):
    update(project, staff_user, status="planned", percent_done=0, spent_won=0, note="계획")
    latest = update(project, staff_user)

    state = get_funded_project_state(proposal=project)
    assert (state.status, state.percent_done, state.spent_won) == ("in_progress", 40, 30_000_000)
    assert state.latest == latest
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.IMPLEMENTATION_UPDATED)
    assert events.count() == 2
    event = events.first()
    assert event.is_public is True
    assert event.subject == latest
    assert event.parameters["spent_won"] == 30_000_000
    assert Announcement.objects.filter(key=f"project:update:{latest.pk}").exists()


@pytest.mark.parametrize(
    ("_case", "overrides", "message"),
    [
        ("done below 100 %", {"status": "done", "percent_done": 90}, "100 percent"),
        ("more spent than funded", {"spent_won": 100_000_001}, "100,000,000"),
        ("empty note", {"note": "   "}, "note"),
        ("percent above 100", {"percent_done": 101}, "100"),
    ],
)
def test_bad_update_is_refused_and_changes_nothing(project, staff_user, _case, overrides, message):
    with pytest.raises(ImplementationError) as error:
        update(project, staff_user, **overrides)
    assert message in error.value.message
    assert ImplementationUpdate.objects.exists() is False
    assert AuditEvent.objects.filter(event_type="implementation_updated").exists() is False


def test_only_funded_projects_after_publication_are_tracked(result, staff_user, cycle):
    with pytest.raises(ImplementationError):
        update(result["pool"], staff_user)  # on the ballot, not funded
    cycle_in_phase(cycle, Phase.TALLYING)
    with pytest.raises(ImplementationError):
        update(result["park"], staff_user)
    assert ImplementationUpdate.objects.exists() is False


def test_photos_are_stored_reencoded_without_location_data(project, staff_user):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (37.0, 27.0, 0.0)}  # GPS IFD
    raw = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 40)).save(raw, format="JPEG", exif=exif)
    assert b"PhoneMaker" in raw.getvalue()
    clean = reencode_image(SimpleUploadedFile("site.jpg", raw.getvalue(), "image/jpeg"))

    posted = update(project, staff_user, photos=[(clean, "현장")])

    photo = posted.photos.get()
    stored = photo.image.read()
    assert photo.caption == "현장"
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()


def test_a_reduction_then_a_cut_of_the_rest_cancels_the_project(project, staff_user):
    reduction = record_budget_cut(
        proposal=project, actor=staff_user, amount_won=30_000_000, reason="단가 재산정"
    )
    assert reduction.kind == BudgetCut.Kind.REDUCED
    state = get_funded_project_state(proposal=project)
    assert (state.funded_won, state.status) == (70_000_000, "planned")

    cut = record_budget_cut(
        proposal=project, actor=staff_user, amount_won=70_000_000, reason="시의회 전액 삭감"
    )
    assert cut.kind == BudgetCut.Kind.CUT
    state = get_funded_project_state(proposal=project)
    assert (state.funded_won, state.cut_won, state.status) == (0, 100_000_000, "cancelled")
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.PROJECT_CUT).first()
    assert (event.is_public, event.reason, event.parameters["funded_after_won"]) == (
        True,
        "시의회 전액 삭감",
        0,
    )
    with pytest.raises(ImplementationError, match="cancelled"):
        update(project, staff_user, spent_won=0)
    update(project, staff_user, status="cancelled", percent_done=0, spent_won=0)


@pytest.mark.parametrize(
    ("_case", "amount", "reason"),
    [
        ("no reason", 10_000_000, "  "),
        ("zero", 0, "사유"),
        ("more than is left unspent", 70_000_001, "사유"),
    ],
)
def test_bad_cut_is_refused_and_changes_nothing(project, staff_user, _case, amount, reason):
    update(project, staff_user, spent_won=30_000_000)
    with pytest.raises(ImplementationError):
        record_budget_cut(proposal=project, actor=staff_user, amount_won=amount, reason=reason)
    assert BudgetCut.objects.exists() is False
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PROJECT_CUT).exists() is False


def test_accountability_adds_up_per_ballot_and_policy_area_and_lists_every_cut(
    result, staff_user, cycle
):
    update(result["park"], staff_user, status="done", percent_done=100, spent_won=95_000_000)
    record_budget_cut(
        proposal=result["lights"], actor=staff_user, amount_won=20_000_000, reason="감액 사유"
    )
    update(result["lights"], staff_user, spent_won=10_000_000)

    report = get_cycle_accountability(cycle=cycle)

    total = report.total
    assert (total.projects, total.selected_won, total.cut_won) == (2, 150_000_000, 20_000_000)
    assert (total.funded_won, total.spent_won, total.done) == (130_000_000, 105_000_000, 1)
    assert [line.label for line in report.by_policy_area] == ["Parks", "Roads"]
    assert [line.spent_won for line in report.by_policy_area] == [95_000_000, 10_000_000]
    assert len(report.by_scope) == 1
    assert report.by_scope[0].funded_won == 130_000_000
    assert [(c.proposal.title, c.reason) for c in report.cuts] == [("골목 조명", "감액 사유")]
    assert [s.proposal.title for s in report.projects] == ["공원 쉼터", "골목 조명"]


def test_voters_and_endorsers_may_follow_others_may_not(project, result, voter, endorser, resident):
    assert follow_project(user=voter, proposal=project)
    assert follow_project(user=endorser, proposal=project)
    follow_project(user=voter, proposal=project)  # twice: still one
    assert ProjectFollow.objects.filter(proposal=project).count() == 2
    with pytest.raises(ImplementationError):
        follow_project(user=resident, proposal=project)  # did not vote on this ballot
    with pytest.raises(ImplementationError):
        follow_project(user=voter, proposal=result["pool"])  # not funded
    assert unfollow_project(user=voter, proposal=project) is True
    assert unfollow_project(user=voter, proposal=project) is False
    assert list(ProjectFollow.objects.values_list("user", flat=True)) == [endorser.pk]
