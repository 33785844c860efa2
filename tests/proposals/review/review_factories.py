"""Factories for the council-review tests."""

import factory

from proposals.models import Endorsement
from proposals.models import FeasibilityReview
from proposals.models import RubricCriterion
from tests.accounts.factories import ResidentProfileFactory


class FeasibilityReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeasibilityReview

    verdict = FeasibilityReview.Verdict.FEASIBLE
    reviewed_cost_won = 25_000_000


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    name_ko = factory.Sequence(lambda n: f"기준 {n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    max_points = 5
    order = factory.Sequence(int)


class EndorsementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endorsement

    user = factory.LazyFunction(lambda: ResidentProfileFactory().user)
