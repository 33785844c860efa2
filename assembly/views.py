"""Views of the assembly app: the public page (minutes, attendance, tallies) and the budget
office's screens under /staff/ (MFA required): schedule, attendance, the kiosk / paper vote."""

from functools import cached_property

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from accounts.selectors import list_users_by_email
from assembly.forms import AssemblyVoteForm
from assembly.forms import AttendeeForm
from assembly.forms import MinutesForm
from assembly.forms import ScheduleForm
from assembly.models import Assembly
from assembly.models import Attendance
from assembly.selectors import assembly_tallies
from assembly.selectors import count_attendance_by_role
from assembly.selectors import has_voted
from assembly.selectors import list_assemblies
from assembly.selectors import list_attendances
from assembly.selectors import list_shortlist
from assembly.services import AssemblyError
from assembly.services import cast_assembly_vote
from assembly.services import change_assembly
from assembly.services import record_attendance
from assembly.services import save_minutes
from assembly.services import schedule_assembly
from assembly.services import set_assembly_status
from budgeting.models import BudgetCycle
from proposals.markdown import render_markdown


class AssemblyDetailView(PermissionRequiredMixin, View):
    """Public: when and where, the minutes, how many attended, and the tallies once closed."""

    permission_required = "assembly.view"

    @cached_property
    def assembly(self) -> Assembly:
        return get_object_or_404(
            Assembly.objects.select_related("cycle"),
            pk=self.kwargs["pk"],
            cycle__slug=self.kwargs["slug"],
        )

    def get_permission_object(self):
        return self.assembly

    def get(self, request, slug, pk):
        assembly = self.assembly
        closed = assembly.status == Assembly.Status.CLOSED
        return render(
            request,
            "assembly/detail.html",
            {
                "assembly": assembly,
                "cycle": assembly.cycle,
                "attendance": count_attendance_by_role(assembly=assembly),
                "tallies": assembly_tallies(assembly=assembly) if closed else None,
                "minutes_html": render_markdown(assembly.minutes),
            },
        )


# --- staff ---------------------------------------------------------------------------------------
class StaffMixin(PermissionRequiredMixin):
    permission_required = "assembly.manage"


class StaffAssembliesView(StaffMixin, View):
    """A cycle's assemblies, and the form to schedule one."""

    template_name = "assembly/staff_list.html"

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle, slug=self.kwargs["slug"])

    def render_page(self, form, status=200):
        context = {
            "cycle": self.cycle,
            "assemblies": list_assemblies(cycle=self.cycle),
            "form": form,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, slug):
        return self.render_page(ScheduleForm())

    def post(self, request, slug):
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            assembly = schedule_assembly(cycle=self.cycle, actor=request.user, **form.cleaned_data)
        except AssemblyError as error:
            form.add_error(None, error.message)
            return self.render_page(form, status=400)
        messages.success(request, _("The assembly is scheduled."))
        return redirect("assembly:staff-console", pk=assembly.pk)


class StaffAssemblyView(StaffMixin, View):
    """One assembly: attendance, opening and closing the vote, the minutes."""

    template_name = "assembly/staff_console.html"

    @cached_property
    def assembly(self) -> Assembly:
        return get_object_or_404(Assembly.objects.select_related("cycle"), pk=self.kwargs["pk"])

    def render_page(self, status=200, **forms):
        assembly = self.assembly
        context = {
            "assembly": assembly,
            "cycle": assembly.cycle,
            "attendances": list_attendances(assembly=assembly),
            "attendee_form": forms.get("attendee_form") or AttendeeForm(),
            "minutes_form": forms.get("minutes_form")
            or MinutesForm(initial={"minutes": assembly.minutes}),
            "change_form": forms.get("change_form")
            or ScheduleForm(
                prefix="change",
                initial={
                    "title": assembly.title,
                    "starts_at": timezone.localtime(assembly.starts_at),
                    "place": assembly.place,
                    "online_url": assembly.online_url,
                },
            ),
            "statuses": Assembly.Status,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page()

    def post(self, request, pk):
        action = request.POST.get("action", "")
        if action == "attend":
            return self.attend()
        if action == "change":
            return self.change()
        if action == "minutes":
            form = MinutesForm(request.POST)
            if not form.is_valid():
                return self.render_page(status=400, minutes_form=form)
            save_minutes(
                assembly=self.assembly, minutes=form.cleaned_data["minutes"], actor=request.user
            )
            messages.success(request, _("The minutes are saved and public."))
        elif action in (Assembly.Status.VOTING, Assembly.Status.CLOSED):
            try:
                set_assembly_status(assembly=self.assembly, status=action, actor=request.user)
            except AssemblyError as error:
                messages.error(request, error.message)
                return self.render_page(status=400)
            messages.success(
                request,
                _("The assembly's vote is now: %(status)s.")
                % {"status": Assembly.Status(action).label},
            )
        else:
            messages.error(request, _("Unknown action."))
            return self.render_page(status=400)
        return redirect("assembly:staff-console", pk=pk)

    def change(self):
        form = ScheduleForm(self.request.POST, prefix="change")
        if not form.is_valid():
            return self.render_page(status=400, change_form=form)
        try:
            change_assembly(assembly=self.assembly, actor=self.request.user, **form.cleaned_data)
        except AssemblyError as error:
            form.add_error(None, error.message)
            return self.render_page(status=400, change_form=form)
        messages.success(self.request, _("The assembly's details are saved."))
        return redirect("assembly:staff-console", pk=self.assembly.pk)

    def attend(self):
        form = AttendeeForm(self.request.POST)
        if not form.is_valid():
            return self.render_page(status=400, attendee_form=form)
        user = list_users_by_email(emails={form.cleaned_data["email"].lower()}).first()
        if user is None:
            form.add_error("email", _("No account with this address."))
            return self.render_page(status=400, attendee_form=form)
        try:
            record_attendance(assembly=self.assembly, user=user, actor=self.request.user)
        except AssemblyError as error:
            form.add_error("email", error.message)
            return self.render_page(status=400, attendee_form=form)
        messages.success(self.request, _("Attendance recorded."))
        return redirect("assembly:staff-console", pk=self.assembly.pk)


class StaffVoteView(StaffMixin, View):
    """The kiosk screen an officer runs with one attendee, or the entry of their paper ballot:
    one ballot (scope) at a time."""

    template_name = "assembly/staff_vote.html"

    @cached_property
    def attendance(self) -> Attendance:
        return get_object_or_404(
            Attendance.objects.select_related("assembly__cycle", "user"),
            pk=self.kwargs["attendance_pk"],
            assembly_id=self.kwargs["pk"],
        )

    @cached_property
    def scope(self):
        scopes = self.attendance.assembly.cycle.scopes.select_related("district").order_by("pk")
        wanted = self.request.POST.get("scope") or self.request.GET.get("scope")
        if wanted is None:
            return scopes.first()
        if not str(wanted).isdigit():
            raise Http404(_("No such ballot."))
        return get_object_or_404(scopes, pk=int(wanted))

    def render_page(self, form=None, status=200):
        attendance, scope = self.attendance, self.scope
        shortlist = list(list_shortlist(scope=scope)) if scope else []
        scopes = attendance.assembly.cycle.scopes.select_related("district").order_by("pk")
        context = {
            "attendance": attendance,
            "assembly": attendance.assembly,
            "cycle": attendance.assembly.cycle,
            "scope": scope,
            "scopes": scopes,
            "already_voted": scope is not None and has_voted(attendance=attendance, scope=scope),
            "form": form or AssemblyVoteForm(shortlist=shortlist),
            "limit": attendance.assembly.cycle.approval_max_choices,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk, attendance_pk):
        return self.render_page()

    def post(self, request, pk, attendance_pk):
        scope = self.scope
        if scope is None:
            raise Http404(_("No such ballot."))
        form = AssemblyVoteForm(request.POST, shortlist=list(list_shortlist(scope=scope)))
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            cast_assembly_vote(
                attendance=self.attendance,
                scope=scope,
                proposal_ids=form.cleaned_data["proposals"],
                channel=form.cleaned_data["channel"],
                actor=request.user,
            )
        except AssemblyError as error:
            form.add_error(None, error.message)
            return self.render_page(form, status=400)
        messages.success(request, _("The vote is recorded. Nothing links it to the attendee."))
        return redirect("assembly:staff-console", pk=pk)
