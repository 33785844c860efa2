"""Budget office screens: cycles (dates, rules, scopes), districts, policy areas, council."""

from typing import Any
from typing import cast

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from modeltranslation.admin import TranslationStackedInline

from budgeting.exceptions import RulesFrozenError
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.phases import Phase
from budgeting.services.cycles import appoint_council_member
from budgeting.services.cycles import check_rules_change_allowed
from budgeting.services.cycles import check_scope_change_allowed
from budgeting.services.cycles import clone_cycle
from budgeting.services.cycles import take_next_step
from budgeting.services.cycles import update_cycle
from core.admin import ReadOnlyAdmin
from core.exceptions import ApplicationError
from core.reauthentication import require_recent_login


class BudgetCycleAdminForm(forms.ModelForm):
    class Meta:
        model = BudgetCycle
        fields = "__all__"  # noqa: DJ007 (the admin fieldsets choose the fields)

    def clean(self):
        cleaned = cast("dict[str, Any]", super().clean())  # ModelForm.clean returns cleaned_data
        try:
            check_rules_change_allowed(cycle=self.instance, new_values=cleaned)
        except RulesFrozenError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return cleaned


class BallotScopeInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        # _should_delete_form: BaseFormSet's own, missing from django-stubs
        for form in self.forms:
            if not form.has_changed() and not self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            scope = form.instance
            scope.cycle_id = self.instance.pk
            try:
                check_scope_change_allowed(
                    scope=scope,
                    new_budget_won=form.cleaned_data.get("budget_won"),
                    deleting=self._should_delete_form(form),  # type: ignore[attr-defined]
                    new_values=form.cleaned_data,
                )
            except RulesFrozenError as exc:
                raise ValidationError(exc.message) from exc


# Stacked, not tabular: every field keeps its own label (a tabular inline labels its inputs only
# by the column header, which axe reports as unlabelled selects).
class BallotScopeInline(TranslationStackedInline):
    model = BallotScope
    formset = BallotScopeInlineFormSet
    extra = 0


class CouncilMembershipInline(admin.StackedInline):
    model = CouncilMembership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["appointed_at"]


@admin.register(BudgetCycle)
class BudgetCycleAdmin(TranslationAdmin):
    form = BudgetCycleAdminForm
    list_display = ["name", "year", "phase", "proposals_start_at", "voting_end_at"]
    list_filter = ["phase", "year"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["phase", "phase_changed_at"]
    # No filter_horizontal: Django's two-box widget puts aria-label on a plain span (axe
    # aria-prohibited-attr); the labelled multiple select is accessible as it is.
    inlines = [BallotScopeInline, CouncilMembershipInline]
    actions = ["advance_to_next_phase", "clone_for_next_year"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "year", "description", "phase", "phase_changed_at")}),
        (
            _("Dates"),
            {
                "fields": (
                    "proposals_start_at",
                    "proposals_end_at",
                    "voting_start_at",
                    "voting_end_at",
                    "results_expected_at",
                )
            },
        ),
        (
            _("Proposals"),
            {"fields": ("policy_areas", "proposal_limit_per_resident", "endorsement_threshold")},
        ),
        (_("Ballot rule (frozen once voting opens)"), {"fields": BudgetCycle.BALLOT_RULE_FIELDS}),
        (_("Tally rule (frozen once voting opens)"), {"fields": BudgetCycle.TALLY_RULE_FIELDS}),
        (_("Eligibility (frozen once voting opens)"), {"fields": BudgetCycle.ELIGIBILITY_FIELDS}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Through the service: it refuses frozen rules once more and audits what changed.
        stored = BudgetCycle.objects.get(pk=obj.pk)
        changes = {
            field: getattr(obj, field)
            for field in form.changed_data
            if not BudgetCycle._meta.get_field(field).many_to_many
            and getattr(obj, field) != getattr(stored, field)
        }
        if changes:
            update_cycle(cycle=obj, actor=request.user, **changes)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            if isinstance(instance, CouncilMembership):
                appoint_council_member(
                    cycle=instance.cycle,
                    user=instance.user,
                    policy_area=instance.policy_area,
                    actor=request.user,
                )
            else:
                instance.save()
        formset.save_m2m()

    @admin.action(description=_("Advance to the next phase"))
    def advance_to_next_phase(self, request, queryset):
        if queryset.filter(phase__in=[Phase.VOTING, Phase.TALLYING]).exists():
            # closing a vote (early) or publishing results: the password again, then replayed
            require_recent_login(request)
        for cycle in queryset:
            try:
                # publication (results' step) freezes the count and builds the downloads
                target, moved = take_next_step(cycle=cycle, actor=request.user)
            except ApplicationError as exc:  # PhaseTransitionError, PublicationError
                self.message_user(request, f"{cycle}: {exc.message}", messages.ERROR)
                continue
            if target is None:
                self.message_user(
                    request,
                    _("%(cycle)s is in its last phase.") % {"cycle": cycle},
                    messages.WARNING,
                )
                continue
            if moved:
                self.message_user(
                    request,
                    _("%(cycle)s is now in the phase “%(phase)s”.")
                    % {"cycle": cycle, "phase": target.label},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Copy for next year (as a draft)"))
    def clone_for_next_year(self, request, queryset):
        for cycle in queryset:
            slug = f"{cycle.slug}-copy-{cycle.year + 1}"
            try:
                clone = clone_cycle(
                    source=cycle,
                    name=f"{cycle.name} ({cycle.year + 1})",
                    slug=slug,
                    actor=request.user,
                )
            except (IntegrityError, ValidationError):
                self.message_user(
                    request,
                    _("A copy with the address “%(slug)s” exists already.") % {"slug": slug},
                    messages.ERROR,
                )
                continue
            self.message_user(
                request, _("Created the draft “%(name)s”.") % {"name": clone}, messages.SUCCESS
            )


@admin.register(District)
class DistrictAdmin(TranslationAdmin):
    list_display = ["name", "slug", "parent", "order"]
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(PolicyArea)
class PolicyAreaAdmin(TranslationAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event_type", "cycle", "actor", "is_public"]
    list_filter = ["event_type", "is_public", "cycle"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
