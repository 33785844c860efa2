"""The committee's pages: public (committee, meeting, draw files, school), residents' (apply,
study, certificate), members' (declared interests) and staff's under /staff/ (MFA required).
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from accounts.mixins import ProfileRequiredMixin
from accounts.selectors import list_users_by_email
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import Subcommittee
from budgeting.models import SubcommitteeMember
from budgeting.selectors import is_council_member
from budgeting.selectors import is_subcommittee_expert
from budgeting.selectors import list_declared_interests
from committee.forms import ApplicationForm
from committee.forms import AttendanceCsvForm
from committee.forms import AttendanceForm
from committee.forms import CloseForm
from committee.forms import CourseForm
from committee.forms import InterestForm
from committee.forms import LeaveForm
from committee.forms import MeetingForm
from committee.forms import MinutesStudiedForm
from committee.forms import RecruitmentForm
from committee.forms import ReplaceForm
from committee.forms import SeatForm
from committee.forms import SessionForm
from committee.forms import SubcommitteeForm
from committee.models import Course
from committee.models import CourseSession
from committee.models import Enrolment
from committee.models import Meeting
from committee.models import Recruitment
from committee.selectors import completed_session_ids
from committee.selectors import count_reserves
from committee.selectors import count_school_completions
from committee.selectors import get_application
from committee.selectors import get_enrolment
from committee.selectors import get_recruitment
from committee.selectors import list_courses
from committee.selectors import list_meetings
from committee.selectors import list_members
from committee.selectors import list_public_subcommittees
from committee.selectors import list_reserves
from committee.selectors import list_sessions
from committee.selectors import panel_against_quotas
from committee.selectors import published_quotas_csv
from committee.selectors import published_table_csv
from committee.services import CommitteeError
from committee.services import add_session
from committee.services import application_refusal
from committee.services import apply_to_committee
from committee.services import assign_seat
from committee.services import close_applications
from committee.services import confirm_online_session
from committee.services import declare_interest
from committee.services import enrol
from committee.services import leave_committee
from committee.services import open_recruitment
from committee.services import parse_quota_lines
from committee.services import record_attendance
from committee.services import record_attendance_csv
from committee.services import remove_members_without_school
from committee.services import remove_seat
from committee.services import replace_member
from committee.services import run_draw
from committee.services import save_course
from committee.services import save_meeting
from committee.services import save_recruitment
from committee.services import save_subcommittee
from committee.services import withdraw_application
from proposals.markdown import render_markdown


def _cycle(slug: str) -> BudgetCycle:
    return get_object_or_404(BudgetCycle.objects.visible(), slug=slug)


def _posted_pk(request, name: str) -> int:
    """A posted id, or 0 (no row) when it is not a number: a 404, never a 500."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else 0


# --- public --------------------------------------------------------------------------------------
class CommitteePublicView(View):
    """The committee of a cycle: members by 분과, meetings, the draw's inputs and seed, quotas."""

    def get(self, request, slug):
        cycle = _cycle(slug)
        recruitment = get_recruitment(cycle=cycle)
        members = list(list_members(cycle=cycle))
        labels = {m.user_id: m.public_label for m in members}
        subcommittees = []
        for sub in list_public_subcommittees(cycle=cycle):
            seats = [
                {
                    "label": labels.get(seat.user_id)
                    or (
                        seat.user.public_name if seat.role == SubcommitteeMember.Role.EXPERT else ""
                    ),
                    "role": seat.get_role_display(),
                    "is_expert": seat.role == SubcommitteeMember.Role.EXPERT,
                    "affiliation": seat.affiliation,
                }
                for seat in sub.members.all()
            ]
            subcommittees.append({"sub": sub, "seats": [s for s in seats if s["label"]]})
        context = {
            "cycle": cycle,
            "recruitment": recruitment,
            "members": [m for m in members if m.status == CouncilMembership.Status.MEMBER],
            "left": [m for m in members if m.status == CouncilMembership.Status.LEFT],
            "reserve_count": count_reserves(cycle=cycle),
            "subcommittees": subcommittees,
            "meetings": list_meetings(cycle=cycle),
            "quota_rows": panel_against_quotas(recruitment=recruitment) if recruitment else [],
            "school_completions": count_school_completions(cycle=cycle),
            "courses": list_courses(cycle=cycle),
            "application": get_application(recruitment=recruitment, user=request.user)
            if recruitment
            else None,
        }
        return render(request, "committee/public.html", context)


class DrawFileView(View):
    """The published draw inputs: the anonymised applicant table and the quotas (CSV)."""

    def get(self, request, slug, name):
        cycle = _cycle(slug)
        recruitment = get_recruitment(cycle=cycle)
        if (
            name not in {"applicants", "quotas"}
            or recruitment is None
            or recruitment.status
            in (
                Recruitment.Status.DRAFT,
                Recruitment.Status.OPEN,
            )
        ):
            raise Http404
        body = (
            published_table_csv(recruitment=recruitment)
            if name == "applicants"
            else published_quotas_csv(recruitment=recruitment)
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{cycle.slug}-{name}.csv"'
        return response


class MeetingView(View):
    def get(self, request, pk):
        meeting = get_object_or_404(
            Meeting.objects.select_related("cycle", "subcommittee").filter(
                cycle__in=BudgetCycle.objects.visible()
            ),
            pk=pk,
        )
        attendees = sorted(
            meeting.attendees.select_related("user__resident_profile"),
            key=lambda m: m.seat_number or 0,
        )
        return render(
            request,
            "committee/meeting.html",
            {
                "meeting": meeting,
                "cycle": meeting.cycle,
                "attendees": attendees,
                "minutes_html": render_markdown(meeting.minutes),
            },
        )


# --- residents -----------------------------------------------------------------------------------
class ApplyView(ProfileRequiredMixin, View):
    template_name = "committee/apply.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cycle = _cycle(kwargs["slug"])
        recruitment = get_recruitment(cycle=self.cycle)
        if recruitment is None:
            raise Http404
        self.recruitment: Recruitment = recruitment

    def render_page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "cycle": self.cycle,
                "recruitment": self.recruitment,
                "form": form,
                "application": get_application(
                    recruitment=self.recruitment, user=self.request.user
                ),
                "refusal": application_refusal(
                    recruitment=self.recruitment,
                    user=self.request.user,  # type: ignore[arg-type]  # ProfileRequiredMixin
                ),
            },
            status=status,
        )

    def get(self, request, slug):
        form = ApplicationForm(custom_attribute=self.recruitment.custom_attribute)
        return self.render_page(form)

    def post(self, request, slug):
        if request.POST.get("action") == "withdraw":
            application = get_application(recruitment=self.recruitment, user=request.user)
            if application is None:
                raise Http404
            try:
                withdraw_application(application=application)
            except CommitteeError as error:
                messages.error(request, str(error.message))
                return redirect("committee:apply", slug=slug)
            messages.success(request, _("Your application is withdrawn."))
            return redirect("committee:apply", slug=slug)
        form = ApplicationForm(request.POST, custom_attribute=self.recruitment.custom_attribute)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            apply_to_committee(
                recruitment=self.recruitment,
                user=request.user,
                gender=form.cleaned_data["gender"],
                custom_answer=form.cleaned_data.get("custom_answer", False),
                name_is_public=form.cleaned_data["name_is_public"],
                motivation=form.cleaned_data["motivation"],
            )
        except CommitteeError as error:
            form.add_error(None, error.message)
            return self.render_page(form, status=403)
        messages.success(request, _("Your application is received. Good luck in the draw."))
        return redirect("committee:apply", slug=slug)


class CourseView(View):
    def get(self, request, pk):
        course = get_object_or_404(Course.objects.select_related("cycle"), pk=pk, is_published=True)
        enrolment = get_enrolment(course=course, user=request.user)
        sessions = list(list_sessions(course=course))
        done = completed_session_ids(enrolment=enrolment)
        return render(
            request,
            "committee/course.html",
            {
                "course": course,
                "cycle": course.cycle,
                "enrolment": enrolment,
                "sessions": [
                    {"session": s, "done": s.pk in done, "material": render_markdown(s.material)}
                    for s in sessions
                ],
                "form": MinutesStudiedForm(),
            },
        )


class EnrolView(ProfileRequiredMixin, View):
    def post(self, request, pk):
        course = get_object_or_404(Course, pk=pk)
        try:
            enrol(course=course, user=request.user)
        except CommitteeError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("You are enrolled."))
        return redirect(course.get_absolute_url())


class StudiedView(ProfileRequiredMixin, View):
    def post(self, request, pk):
        session = get_object_or_404(CourseSession.objects.select_related("course"), pk=pk)
        enrolment = get_enrolment(course=session.course, user=request.user)
        if enrolment is None:
            messages.error(request, _("Enrol in the course first."))
            return redirect(session.course.get_absolute_url())
        form = MinutesStudiedForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the minutes you studied as a whole number."))
            return redirect(session.course.get_absolute_url())
        try:
            confirm_online_session(
                enrolment=enrolment,
                session=session,
                minutes_studied=form.cleaned_data["minutes_studied"],
            )
        except CommitteeError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Session completed."))
        return redirect(session.course.get_absolute_url())


class CertificateView(View):
    """A completion certificate, found by its number (anyone holding it can check it)."""

    def get(self, request, code):
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("course__cycle", "user__resident_profile"),
            certificate_code=code,
            completed_at__isnull=False,
        )
        return render(request, "committee/certificate.html", {"enrolment": enrolment})


# --- members: declared interests -----------------------------------------------------------------
class InterestsView(LoginRequiredMixin, View):
    template_name = "committee/interests.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cycle = _cycle(kwargs["slug"])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            is_council_member(user=request.user, cycle=self.cycle)
            or is_subcommittee_expert(user=request.user, cycle=self.cycle)
        ):
            return render(request, "403.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, leave_form=None):
        return render(
            self.request,
            self.template_name,
            {
                "cycle": self.cycle,
                "form": form,
                "leave_form": leave_form or LeaveForm(),
                "is_member": is_council_member(user=self.request.user, cycle=self.cycle),
                "interests": list_declared_interests(user=self.request.user, cycle=self.cycle),
            },
            status=status,
        )

    def get(self, request, slug):
        return self.render_page(InterestForm())

    def post(self, request, slug):
        if request.POST.get("action") == "leave":
            return self.leave(request, slug)
        form = InterestForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            declare_interest(cycle=self.cycle, user=request.user, **form.cleaned_data)
        except CommitteeError as error:
            form.add_error(None, error.message)
            return self.render_page(form, status=400)
        messages.success(request, _("Your interest is declared."))
        return redirect("committee:interests", slug=slug)

    def leave(self, request, slug):
        """The member resigns; the next fitting reserve takes the seat."""
        leave_form = LeaveForm(request.POST)
        if not leave_form.is_valid():
            return self.render_page(InterestForm(), status=400, leave_form=leave_form)
        try:
            leave_committee(
                user=request.user, cycle=self.cycle, reason=leave_form.cleaned_data["reason"]
            )
        except CommitteeError as error:
            leave_form.add_error(None, error.message)
            return self.render_page(InterestForm(), status=400, leave_form=leave_form)
        messages.success(request, _("You have left the committee. Thank you for your work."))
        return redirect("committee:public", slug=slug)


# --- staff ---------------------------------------------------------------------------------------
class StaffMixin(PermissionRequiredMixin):
    permission_required = "committee.manage"


class StaffConsoleView(StaffMixin, View):
    """Recruitment, the draw, the seats, 분과, school and meetings of one cycle."""

    template_name = "committee/staff_console.html"

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle, slug=self.kwargs["slug"])

    def context(self, **extra):
        recruitment = get_recruitment(cycle=self.cycle)
        subcommittees = list(list_public_subcommittees(cycle=self.cycle))
        initial = {}
        if recruitment is not None:
            initial = {
                "seats": recruitment.seats,
                "reserves": recruitment.reserves,
                "min_age": recruitment.min_age,
                "require_verified": recruitment.require_verified,
                "school_rule": recruitment.school_rule,
                "custom_attribute": recruitment.custom_attribute,
                "applications_close_at": recruitment.applications_close_at,
                "quotas": "\n".join(
                    f"{q.feature},{q.value},{q.min_seats},{q.max_seats}"
                    for q in recruitment.quotas.all()
                ),
            }
        context = {
            "cycle": self.cycle,
            "recruitment": recruitment,
            "application_count": recruitment.applications.exclude(outcome="withdrawn").count()
            if recruitment
            else 0,
            "recruitment_form": RecruitmentForm(initial=initial),
            "close_form": CloseForm(),
            "replace_form": ReplaceForm(),
            "subcommittee_form": SubcommitteeForm(
                areas=self.cycle.policy_areas.all(), subcommittees=subcommittees
            ),
            "seat_form": SeatForm(subcommittees=subcommittees),
            "subcommittees": subcommittees,
            "members": [
                m
                for m in list_members(cycle=self.cycle)
                if m.status == CouncilMembership.Status.MEMBER
            ],
            "reserves": list_reserves(cycle=self.cycle),
            "quota_rows": panel_against_quotas(recruitment=recruitment) if recruitment else [],
            "courses": list_courses(cycle=self.cycle, include_unpublished=True),
            "meetings": list_meetings(cycle=self.cycle),
        }
        context.update(extra)
        return context

    def get(self, request, slug):
        return render(request, self.template_name, self.context())

    def post(self, request, slug):  # noqa: PLR0911, PLR0912, PLR0915 (one console, one action per button)
        action = request.POST.get("action", "")
        recruitment = get_recruitment(cycle=self.cycle)
        try:
            if action == "save":
                form = RecruitmentForm(request.POST)
                if not form.is_valid():
                    return render(
                        request, self.template_name, self.context(recruitment_form=form), status=400
                    )
                data = form.cleaned_data
                try:
                    quotas = parse_quota_lines(data["quotas"], seats=data["seats"])
                except CommitteeError as error:
                    form.add_error("quotas", error.message)
                    return render(
                        request, self.template_name, self.context(recruitment_form=form), status=400
                    )
                save_recruitment(
                    cycle=self.cycle,
                    seats=data["seats"],
                    reserves=data["reserves"],
                    min_age=data["min_age"],
                    require_verified=data["require_verified"],
                    school_rule=data["school_rule"],
                    custom_attribute=data["custom_attribute"],
                    quotas=quotas,
                    applications_close_at=data["applications_close_at"],
                    actor=request.user,
                )
                messages.success(request, _("The recruitment is saved."))
            elif action in {"open", "close", "draw"} and recruitment is None:
                raise CommitteeError(_("Set up the recruitment first."))
            elif action == "open" and recruitment is not None:
                open_recruitment(recruitment=recruitment, actor=request.user)
                messages.success(request, _("Applications are open."))
            elif action == "close" and recruitment is not None:
                close_form = CloseForm(request.POST)
                seed = close_form.cleaned_data["seed"] if close_form.is_valid() else ""
                close_applications(recruitment=recruitment, seed=seed, actor=request.user)
                messages.success(request, _("Applications are closed and the seed is committed."))
            elif action == "draw" and recruitment is not None:
                report = run_draw(recruitment=recruitment, actor=request.user)
                messages.success(
                    request,
                    _("The committee is drawn: %(members)s members, %(reserves)s reserves.")
                    % {"members": len(report.members), "reserves": len(report.reserves)},
                )
            elif action == "school" and recruitment is not None:
                ended = remove_members_without_school(recruitment=recruitment, actor=request.user)
                messages.success(
                    request,
                    _("%(n)s members without the budget-school certificate left and were replaced.")
                    % {"n": len(ended)},
                )
            elif action == "replace":
                membership = get_object_or_404(
                    CouncilMembership, pk=_posted_pk(request, "membership"), cycle=self.cycle
                )
                replace_form = ReplaceForm(request.POST)
                if not replace_form.is_valid():
                    raise CommitteeError(_("Say why the member leaves."))
                chosen = replace_member(
                    membership=membership,
                    reason=replace_form.cleaned_data["reason"],
                    actor=request.user,
                )
                if chosen is None:
                    messages.warning(
                        request,
                        _("The member left. No reserve keeps the quotas: the seat is empty."),
                    )
                else:
                    messages.success(
                        request,
                        _("The member left; %(label)s takes the seat.")
                        % {"label": chosen.public_label},
                    )
            elif action == "subcommittee":
                subs = list(Subcommittee.objects.filter(cycle=self.cycle))
                sub_form = SubcommitteeForm(
                    request.POST, areas=self.cycle.policy_areas.all(), subcommittees=subs
                )
                if not sub_form.is_valid():
                    return render(
                        request,
                        self.template_name,
                        self.context(subcommittee_form=sub_form),
                        status=400,
                    )
                data = dict(sub_form.cleaned_data)
                chosen_sub = data.pop("existing")
                save_subcommittee(
                    cycle=self.cycle,
                    subcommittee=next((s for s in subs if str(s.pk) == chosen_sub), None),
                    actor=request.user,
                    **data,
                )
                messages.success(request, _("The subcommittee is saved."))
            elif action == "unseat":
                seat = get_object_or_404(
                    SubcommitteeMember,
                    pk=_posted_pk(request, "seat"),
                    subcommittee__cycle=self.cycle,
                )
                remove_seat(seat=seat, actor=request.user)
                messages.success(request, _("The seat is removed."))
            elif action == "seat":
                subs = list(Subcommittee.objects.filter(cycle=self.cycle))
                seat_form = SeatForm(request.POST, subcommittees=subs)
                if not seat_form.is_valid():
                    return render(
                        request, self.template_name, self.context(seat_form=seat_form), status=400
                    )
                user = list_users_by_email(emails={seat_form.cleaned_data["email"].lower()}).first()
                if user is None:
                    seat_form.add_error("email", _("No account with this address."))
                    return render(
                        request, self.template_name, self.context(seat_form=seat_form), status=400
                    )
                sub = next(s for s in subs if str(s.pk) == seat_form.cleaned_data["subcommittee"])
                assign_seat(
                    subcommittee=sub,
                    user=user,
                    role=seat_form.cleaned_data["role"],
                    affiliation=seat_form.cleaned_data["affiliation"],
                    actor=request.user,
                )
                messages.success(request, _("The seat is assigned."))
            else:
                raise CommitteeError(_("Unknown action."))
        except CommitteeError as error:
            return render(
                request,
                self.template_name,
                self.context(error=error.message, reasons=error.reasons),
                status=400,
            )
        return redirect("committee:staff-console", slug=slug)


class StaffAttendanceView(StaffMixin, View):
    """In-person attendance at a school session: one by one, or a CSV of e-mail addresses."""

    template_name = "committee/staff_attendance.html"

    def render_page(self, session, status=200, **extra):
        context = {
            "session": session,
            "course": session.course,
            "cycle": session.course.cycle,
            "form": AttendanceForm(),
            "csv_form": AttendanceCsvForm(),
            "attendees": session.completions.select_related("enrolment__user__resident_profile"),
        }
        context.update(extra)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        session = get_object_or_404(CourseSession.objects.select_related("course__cycle"), pk=pk)
        return self.render_page(session)

    def post(self, request, pk):
        session = get_object_or_404(CourseSession.objects.select_related("course__cycle"), pk=pk)
        if "file" in request.FILES:
            csv_form = AttendanceCsvForm(request.POST, request.FILES)
            if not csv_form.is_valid():
                return self.render_page(session, status=400, csv_form=csv_form)
            try:
                report = record_attendance_csv(
                    session=session, raw=request.FILES["file"].read(), actor=request.user
                )
            except CommitteeError as error:
                csv_form.add_error("file", error.message)
                return self.render_page(session, status=400, csv_form=csv_form)
            return self.render_page(session, report=report)
        form = AttendanceForm(request.POST)
        if not form.is_valid():
            return self.render_page(session, status=400, form=form)
        user = list_users_by_email(emails={form.cleaned_data["email"].lower()}).first()
        if user is None:
            form.add_error("email", _("No account with this address."))
            return self.render_page(session, status=400, form=form)
        record_attendance(session=session, user=user, actor=request.user)
        messages.success(request, _("Attendance recorded."))
        return redirect(reverse("committee:staff-attendance", kwargs={"pk": pk}))


class StaffMeetingView(StaffMixin, View):
    """Staff write a meeting's attendance and Markdown minutes (new, or ``pk`` to edit)."""

    template_name = "committee/staff_meeting.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cycle = get_object_or_404(BudgetCycle, slug=kwargs["slug"])
        self.meeting = (
            get_object_or_404(Meeting, pk=kwargs["pk"], cycle=self.cycle)
            if "pk" in kwargs
            else None
        )
        self.subs = list(Subcommittee.objects.filter(cycle=self.cycle))
        self.members = [
            m for m in list_members(cycle=self.cycle) if m.status == CouncilMembership.Status.MEMBER
        ]

    def make_form(self, data=None):
        initial = {}
        if self.meeting is not None:
            initial = {
                "title": self.meeting.title,
                "held_at": self.meeting.held_at,
                "place": self.meeting.place,
                "subcommittee": str(self.meeting.subcommittee_id or ""),
                "attendees": [
                    str(pk) for pk in self.meeting.attendees.values_list("pk", flat=True)
                ],
                "minutes": self.meeting.minutes,
            }
        return MeetingForm(data, initial=initial, subcommittees=self.subs, members=self.members)

    def render_page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"cycle": self.cycle, "meeting": self.meeting, "form": form},
            status=status,
        )

    def get(self, request, slug, pk=None):
        return self.render_page(self.make_form())

    def post(self, request, slug, pk=None):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        chosen = set(data["attendees"])
        meeting = save_meeting(
            cycle=self.cycle,
            title=data["title"],
            held_at=data["held_at"],
            place=data["place"],
            minutes=data["minutes"],
            attendees=[m for m in self.members if str(m.pk) in chosen],
            subcommittee=next((s for s in self.subs if str(s.pk) == data["subcommittee"]), None),
            meeting=self.meeting,
            actor=request.user,
        )
        messages.success(request, _("The meeting is saved and public."))
        return redirect(meeting.get_absolute_url())


class StaffSchoolView(StaffMixin, View):
    """Staff publish budget-school courses and add their sessions."""

    template_name = "committee/staff_school.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cycle = get_object_or_404(BudgetCycle, slug=kwargs["slug"])

    def render_page(self, status=200, **forms):
        courses = list(list_courses(cycle=self.cycle, include_unpublished=True))
        return render(
            self.request,
            self.template_name,
            {
                "cycle": self.cycle,
                "courses": courses,
                "course_form": forms.get("course_form") or CourseForm(),
                "session_form": forms.get("session_form") or SessionForm(),
            },
            status=status,
        )

    def get(self, request, slug):
        return self.render_page()

    def post(self, request, slug):
        if request.POST.get("action") == "course":
            course_form = CourseForm(request.POST)
            if not course_form.is_valid():
                return self.render_page(status=400, course_form=course_form)
            save_course(cycle=self.cycle, **course_form.cleaned_data)
            messages.success(request, _("The course is saved."))
            return redirect("committee:staff-school", slug=slug)
        course = get_object_or_404(Course, pk=_posted_pk(request, "course"), cycle=self.cycle)
        session_form = SessionForm(request.POST)
        if not session_form.is_valid():
            return self.render_page(status=400, session_form=session_form)
        try:
            add_session(course=course, **session_form.cleaned_data)
        except CommitteeError as error:
            session_form.add_error(None, error.message)
            return self.render_page(status=400, session_form=session_form)
        messages.success(request, _("The session is added."))
        return redirect("committee:staff-school", slug=slug)
