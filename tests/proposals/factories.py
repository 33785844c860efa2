"""Factories for proposals' discussion (the proposal factory itself is in tests/factories.py)."""

import io

import factory
from django.utils import timezone
from PIL import Image

from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Proposal
from proposals.models import Report
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import PolicyAreaFactory

__all__ = ["CommentFactory", "EndorsementFactory", "ProposalFactory", "ReportFactory"]


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    scope = factory.SubFactory(BallotScopeFactory)
    cycle = factory.LazyAttribute(lambda o: o.scope.cycle)
    policy_area = factory.SubFactory(PolicyAreaFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"동네 쉼터 만들기 {n}")
    summary = "버스 정류장 옆 그늘막과 의자"
    description = "주민들이 쉴 수 있는 공간을 만듭니다."
    cost_estimate_won = 30_000_000
    status = Proposal.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    proposal = factory.SubFactory(ProposalFactory)
    author = factory.LazyFunction(lambda: ResidentProfileFactory().user)
    body = "좋은 제안입니다. 저녁에도 쓸 수 있으면 좋겠어요."


class EndorsementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endorsement

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.LazyFunction(lambda: ResidentProfileFactory().user)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    proposal = factory.SubFactory(ProposalFactory)
    reporter = factory.LazyFunction(lambda: ResidentProfileFactory().user)
    reason = "광고성 글입니다."


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 30, 30), **save_kwargs) -> bytes:
    """A small image in ``fmt`` (JPEG, PNG, WEBP, GIF, BMP...)."""
    mode = "RGBA" if fmt == "PNG" and save_kwargs.pop("alpha", False) else "RGB"
    image = Image.new(mode, size, color + ((128,) if mode == "RGBA" else ()))
    out = io.BytesIO()
    image.save(out, format=fmt, **save_kwargs)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a GPS position (Incheon City Hall) and a camera model."""
    image = Image.new("RGB", (80, 60), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Chamyeo Test Camera"  # Model
    gps = {
        1: "N",
        2: (37.0, 27.0, 22.8),
        3: "E",
        4: (126.0, 42.0, 19.0),
    }
    exif[0x8825] = gps  # GPSInfo IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
