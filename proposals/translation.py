from modeltranslation.translator import TranslationOptions
from modeltranslation.translator import register

from proposals.models import RubricCriterion


@register(RubricCriterion)
class RubricCriterionTranslationOptions(TranslationOptions):
    fields = ("name", "description")
