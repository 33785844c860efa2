"""Admin-entered names in Korean and English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions
from modeltranslation.translator import register

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.models import Subcommittee


@register(District)
class DistrictTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(PolicyArea)
class PolicyAreaTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(BudgetCycle)
class BudgetCycleTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(Subcommittee)
class SubcommitteeTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(BallotScope)
class BallotScopeTranslationOptions(TranslationOptions):
    fields = ("track_name", "track_theme")
