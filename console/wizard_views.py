"""The set-up wizard (staff with their second factor): a new cycle from scratch or copied from
last year, then one page per step, each checked in plain words; frozen fields shown, not edited.
"""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

import console.control_rules  # noqa: F401  (registers console.run_cycles)
from accounts.models import User
from budgeting.exceptions import RulesFrozenError
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.selectors import build_cycle_timeline
from budgeting.selectors import get_cycle_budget_total
from budgeting.selectors import list_scopes_for_cycle
from budgeting.services.cycles import clone_cycle
from budgeting.services.cycles import update_cycle
from console.wizard_forms import AreasForm
from console.wizard_forms import BallotForm
from console.wizard_forms import BasicsForm
from console.wizard_forms import CloneForm
from console.wizard_forms import CountForm
from console.wizard_forms import DatesForm
from console.wizard_forms import EligibilityForm
from console.wizard_forms import PotForm
from console.wizard_forms import ThresholdsForm
from console.wizard_forms import TotalForm
from console.wizard_services import DATE_FIELDS
from console.wizard_services import create_draft_cycle
from console.wizard_services import list_date_notices
from console.wizard_services import remove_pot
from console.wizard_services import save_pot
from console.wizard_services import set_policy_areas
from console.wizard_services import set_total_budget

# (slug, title) in order; each has a form and a template of its own.
STEPS: tuple[tuple[str, object], ...] = (
    ("dates", gettext_lazy("Dates")),
    ("pots", gettext_lazy("Pots and budgets")),
    ("areas", gettext_lazy("Policy areas")),
    ("ballot", gettext_lazy("Ballot")),
    ("count", gettext_lazy("Counting")),
    ("eligibility", gettext_lazy("Who may vote")),
    ("thresholds", gettext_lazy("Thresholds")),
)
STEP_SLUGS = [slug for slug, _title in STEPS]

FORMS = {
    "dates": DatesForm,
    "ballot": BallotForm,
    "count": CountForm,
    "eligibility": EligibilityForm,
    "thresholds": ThresholdsForm,
}

TALLY_EXPLANATIONS = {
    BudgetCycle.TallyRule.GREEDY: gettext_lazy(
        "Projects are taken in order of votes, most first; each is funded if it still fits in "
        "what is left of the pot, otherwise skipped. Simple to explain; a large majority can "
        "take the whole pot."
    ),
    BudgetCycle.TallyRule.EQUAL_SHARES: gettext_lazy(
        "Each voter gets an equal share of the pot and pays, with those who voted like them, "
        "for the projects they chose. Groups of voters get projects in proportion to their "
        "size; what is left is spent by votes (completion)."
    ),
    BudgetCycle.TallyRule.COUNCIL_WEIGHTED: gettext_lazy(
        "A project's score combines its share of the public vote and its share of the council's "
        "vote with the weight set below (Seoul's way); then the pot is filled by score, most "
        "first."
    ),
    BudgetCycle.TallyRule.WEIGHTED: gettext_lazy(
        "Each source (the public vote, committee scores, the general assembly, budget-school "
        "graduates' ballots, a survey) gives a project its share of that source's total; the "
        "shares times the weights set below, which sum to 100 %, make its score; then the pot is "
        "filled by score, most first."
    ),
}

FROZEN_REASON = gettext_lazy(
    "Voting has opened, so the rules residents vote under are frozen: they are shown, not edited."
)

# Example projects for the ballot preview (not real proposals).
PREVIEW_PROJECTS = (
    (gettext_lazy("Shade canopies at the bus stops"), 40_000_000),
    (gettext_lazy("A reading room in the community centre"), 120_000_000),
    (gettext_lazy("Night lights on the stream path"), 80_000_000),
)


class ConsoleMixin(PermissionRequiredMixin):
    permission_required = "console.run_cycles"


def _steps_nav(cycle: BudgetCycle, current: str) -> list[dict]:
    return [
        {"slug": slug, "title": title, "current": slug == current, "number": index}
        for index, (slug, title) in enumerate(STEPS, start=1)
    ]


class WizardNewView(ConsoleMixin, View):
    """Start a cycle: from scratch or as a copy of last year's."""

    template_name = "console/wizard/new.html"

    def render_page(self, basics=None, clone=None, status=200):
        latest = BudgetCycle.objects.order_by("-year", "-pk").first()
        year = (latest.year + 1) if latest else timezone.localdate().year + 1
        return render(
            self.request,
            self.template_name,
            {
                "basics_form": basics or BasicsForm(prefix="new", initial={"year": year}),
                "clone_form": clone
                or CloneForm(prefix="clone", initial={"source": latest.pk if latest else None}),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page()

    def post(self, request):
        if request.POST.get("action") == "clone":
            clone = CloneForm(request.POST, prefix="clone")
            if not clone.is_valid():
                return self.render_page(clone=clone, status=400)
            source = clone.cleaned_data["source"]
            try:
                cycle = clone_cycle(
                    source=source,
                    name=clone.cleaned_data["name_ko"],
                    slug=clone.cleaned_data["slug"],
                    actor=request.user,
                )
            except (IntegrityError, ValidationError):
                clone.add_error("slug", _("Another cycle already has this web address."))
                return self.render_page(clone=clone, status=400)
            cycle.name_ko = clone.cleaned_data["name_ko"]  # type: ignore[attr-defined]
            cycle.save(update_fields=["name_ko"])
            messages.success(
                request,
                _("Copied from “%(source)s”: check every step, the dates first.")
                % {"source": source},
            )
            return redirect("console:wizard-step", slug=cycle.slug, step="dates")
        basics = BasicsForm(request.POST, prefix="new")
        if not basics.is_valid():
            return self.render_page(basics=basics, status=400)
        data = basics.cleaned_data
        try:
            cycle = create_draft_cycle(
                actor=request.user,
                name_ko=data["name_ko"],
                name_en=data["name_en"],
                slug=data["slug"],
                year=data["year"],
                description_ko=data["description_ko"],
            )
        except (IntegrityError, ValidationError):
            basics.add_error("slug", _("Another cycle already has this web address."))
            return self.render_page(basics=basics, status=400)
        messages.success(request, _("The cycle is created, in preparation: now its dates."))
        return redirect("console:wizard-step", slug=cycle.slug, step="dates")


class WizardStepView(ConsoleMixin, View):
    """One step of the set-up of a cycle."""

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle, slug=self.kwargs["slug"])

    @property
    def step(self) -> str:
        step = self.kwargs["step"]
        if step not in STEP_SLUGS:
            raise Http404
        return step

    def make_form(self, data=None):
        step = self.step
        if step == "pots":
            return TotalForm(data, cycle=self.cycle)
        if step == "areas":
            return AreasForm(data, initial={"areas": list(self.cycle.policy_areas.all())})
        return FORMS[step](data, instance=self.cycle)

    def context(self, form) -> dict:
        cycle = self.cycle
        step = self.step
        index = STEP_SLUGS.index(step)
        context = {
            "cycle": cycle,
            "form": form,
            "step": step,
            "step_title": dict(STEPS)[step],
            "steps": _steps_nav(cycle, step),
            "previous_step": STEP_SLUGS[index - 1] if index else None,
            "frozen_reason": FROZEN_REASON,
            "frozen": getattr(form, "frozen", []),
        }
        if step == "dates":
            values = {name: getattr(cycle, name) for name in DATE_FIELDS}
            if form.is_bound and not form.errors:
                values = {name: form.cleaned_data.get(name) for name in DATE_FIELDS}
            context["notices"] = list_date_notices(values)
            context["timeline"] = build_cycle_timeline(cycle=cycle)
        if step == "pots":
            context["pot_sum"] = get_cycle_budget_total(cycle=cycle)
            context["scopes"] = list_scopes_for_cycle(cycle=cycle)
        if step == "ballot":
            context["preview_projects"] = PREVIEW_PROJECTS
        if step == "count":
            context["explanations"] = [
                (rule.label, TALLY_EXPLANATIONS[rule], rule == cycle.tally_rule)
                for rule in BudgetCycle.TallyRule
            ]
        return context

    def get(self, request, slug, step):
        return render(
            request, f"console/wizard/step_{self.step}.html", self.context(self.make_form())
        )

    def post(self, request, slug, step):
        form = self.make_form(request.POST)
        template = f"console/wizard/step_{self.step}.html"
        if not form.is_valid():
            return render(request, template, self.context(form), status=400)
        try:
            self.save(form)
        except (RulesFrozenError, ValidationError) as exc:
            message = exc.message if isinstance(exc, RulesFrozenError) else "; ".join(exc.messages)
            form.add_error(None, message)
            return render(request, template, self.context(form), status=400)
        messages.success(request, _("Saved."))
        if "stay" in request.POST:
            return redirect("console:wizard-step", slug=self.cycle.slug, step=self.step)
        index = STEP_SLUGS.index(self.step)
        if index + 1 < len(STEP_SLUGS):
            return redirect("console:wizard-step", slug=self.cycle.slug, step=STEP_SLUGS[index + 1])
        return redirect("console:wizard-summary", slug=self.cycle.slug)

    def save(self, form) -> None:
        cycle = self.cycle
        actor = cast("User", self.request.user)  # the permission needs a signed-in person
        if self.step == "pots":
            set_total_budget(
                cycle=cycle, actor=actor, total_budget_won=form.cleaned_data["total_budget_won"]
            )
        elif self.step == "areas":
            set_policy_areas(cycle=cycle, actor=actor, areas=list(form.cleaned_data["areas"]))
        else:
            changes = form.changes()
            if changes:
                stored = BudgetCycle.objects.get(pk=cycle.pk)
                update_cycle(cycle=stored, actor=self.request.user, **changes)


class PotView(ConsoleMixin, View):
    """Add or change one pot of the cycle (a free pot or a themed track, at any level)."""

    template_name = "console/wizard/pot.html"

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle, slug=self.kwargs["slug"])

    @cached_property
    def scope(self) -> BallotScope:
        if "pk" not in self.kwargs:
            return BallotScope(cycle=self.cycle)
        return get_object_or_404(
            BallotScope.objects.select_related("district"), pk=self.kwargs["pk"], cycle=self.cycle
        )

    def render_page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "cycle": self.cycle,
                "scope": self.scope,
                "form": form,
                "step": "pots",
                "step_title": dict(STEPS)["pots"],
                "steps": _steps_nav(self.cycle, "pots"),
                "frozen": form.frozen,
                "frozen_reason": FROZEN_REASON,
                "pot_sum": get_cycle_budget_total(cycle=self.cycle),
            },
            status=status,
        )

    def get(self, request, slug, pk=None):
        return self.render_page(PotForm(instance=self.scope, cycle=self.cycle))

    def post(self, request, slug, pk=None):
        form = PotForm(request.POST, instance=self.scope, cycle=self.cycle)
        if self.cycle.rules_are_frozen:
            form.add_error(None, FROZEN_REASON)
            return self.render_page(form, status=400)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            scope = save_pot(
                cycle=self.cycle, actor=cast("User", request.user), scope=form.instance
            )
        except RulesFrozenError as exc:
            form.add_error(None, exc.message)
            return self.render_page(form, status=400)
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
            return self.render_page(form, status=400)
        messages.success(request, _("“%(pot)s” is saved.") % {"pot": scope.name})
        return redirect("console:wizard-step", slug=self.cycle.slug, step="pots")


class PotRemoveView(ConsoleMixin, View):
    """Take a pot off the cycle (before voting opens, and only if no proposal was filed in it)."""

    http_method_names = ["post"]

    def post(self, request, slug, pk):
        cycle = get_object_or_404(BudgetCycle, slug=slug)
        scope = get_object_or_404(BallotScope, pk=pk, cycle=cycle)
        name = scope.name
        try:
            remove_pot(cycle=cycle, actor=cast("User", request.user), scope=scope)
        except RulesFrozenError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("“%(pot)s” is removed.") % {"pot": name})
        return redirect("console:wizard-step", slug=cycle.slug, step="pots")


class WizardSummaryView(ConsoleMixin, View):
    """Every setting of the cycle on one page, what is still missing, and the way on."""

    def get(self, request, slug):
        cycle: BudgetCycle = get_object_or_404(
            BudgetCycle.objects.prefetch_related("policy_areas"), slug=slug
        )
        problems = []
        if not cycle.scopes.exists():
            problems.append((_("Give at least one pot a budget."), "pots"))
        if not cycle.policy_areas.exists():
            problems.append((_("Choose the policy areas proposals are filed under."), "areas"))
        if cycle.phase == "draft" and cycle.proposals_start_at < timezone.now():
            problems.append(
                (_("Proposals were planned to open in the past: check the dates."), "dates")
            )
        return render(
            request,
            "console/wizard/summary.html",
            {
                "cycle": cycle,
                "steps": _steps_nav(cycle, ""),
                "problems": problems,
                "scopes": list_scopes_for_cycle(cycle=cycle),
                "pot_sum": get_cycle_budget_total(cycle=cycle),
                "timeline": build_cycle_timeline(cycle=cycle),
                "tally_explanation": TALLY_EXPLANATIONS[BudgetCycle.TallyRule(cycle.tally_rule)],
            },
        )
