"""Granting and revoking staff roles (issue #14, item 4) from the console instead of the admin.

A role needs ``is_staff`` (and the staff pages then ask the person to set up an authenticator
app before they open: ``accounts.middleware.RequireMFAMiddleware``). A department official is
also posted in their department (``departments.DepartmentOfficial``), which the department desk
reads. Every grant and revocation is audited with its reason, naming the person by account
number only. Refused: revoking one's own budget-office role, and leaving no budget office.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import District
from departments.models import Department
from departments.models import DepartmentOfficial

ROLE = StaffRole.Role


@dataclass(frozen=True)
class Grant:
    """One line of the staff list: a role (or a department post) someone holds."""

    key: str  # "role-<pk>" or "post-<pk>": what the revoke page is given
    user: User
    role: str
    role_label: str
    place: str  # the 구 of a district officer, the department of an official
    granted_at: datetime | None


def list_grants() -> list[Grant]:
    """Every role held, by role then person; a department official once per department."""
    grants = [
        Grant(
            key=f"role-{row.pk}",
            user=row.user,
            role=row.role,
            role_label=str(row.get_role_display()),
            place=str(row.district) if row.district_id else "",
            granted_at=row.granted_at,
        )
        for row in StaffRole.objects.exclude(role=ROLE.DEPARTMENT_OFFICIAL).select_related(
            "user", "district"
        )
    ]
    grants += [
        Grant(
            key=f"post-{post.pk}",
            user=post.user,
            role=ROLE.DEPARTMENT_OFFICIAL,
            role_label=str(ROLE.DEPARTMENT_OFFICIAL.label),
            place=str(post.department),
            granted_at=post.created_at,
        )
        for post in DepartmentOfficial.objects.select_related("user", "department")
    ]
    order = {value: index for index, value in enumerate(ROLE.values)}
    return sorted(grants, key=lambda g: (order[g.role], g.user.email.lower(), g.place))


def list_staff_without_role() -> list[User]:
    """Staff from before roles existed: with no role at all they are the budget office."""
    return list(
        User.objects.filter(is_staff=True, is_active=True, staff_roles__isnull=True)
        .exclude(department_posts__isnull=False)
        .order_by("email")
    )


def get_grant(key: str) -> StaffRole | DepartmentOfficial | None:
    kind, _sep, pk = key.partition("-")
    if not pk.isdigit():
        return None
    if kind == "role":
        return (
            StaffRole.objects.exclude(role=ROLE.DEPARTMENT_OFFICIAL)
            .select_related("user", "district")
            .filter(pk=int(pk))
            .first()
        )
    if kind == "post":
        return DepartmentOfficial.objects.select_related("user", "department").filter(pk=pk).first()
    return None


def _budget_office_count() -> int:
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(staff_roles__role=ROLE.BUDGET_OFFICE) | Q(staff_roles__isnull=True))
        .distinct()
        .count()
    )


def _is_budget_office_now(user: User) -> bool:
    roles = StaffRole.objects.filter(user=user)
    stored = User.objects.get(pk=user.pk)
    return stored.is_staff and (
        not roles.exists() or roles.filter(role=ROLE.BUDGET_OFFICE).exists()
    )


def _check_budget_office_remains(*, actor: User, was_office: bool) -> None:
    """Called inside the change's transaction: raising undoes it."""
    if was_office and not _is_budget_office_now(actor):
        raise ValidationError(
            _(
                "You cannot take away your own budget-office role: another member of the "
                "budget office must do it."
            )
        )
    if _budget_office_count() == 0:
        raise ValidationError(
            _("This is the last budget-office role: grant it to someone else first.")
        )


def _audit(event_type: AuditEvent.Type, *, actor: User, person: User, reason: str, **details):
    record_audit_event(
        event_type=event_type,
        is_public=False,
        subject=person,
        actor=actor,
        reason=reason,
        **details,
    )


@transaction.atomic
def grant_role(
    *,
    actor: User,
    person: User,
    role: str,
    reason: str,
    district: District | None = None,
    department: Department | None = None,
) -> None:
    """Give ``person`` a role (they become staff; the staff pages then ask for their
    authenticator app before anything opens)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    was_office = _is_budget_office_now(actor)
    if role == ROLE.DISTRICT_OFFICER:
        if district is None or district.parent_id is not None:
            raise ValidationError(_("Choose the gu this district officer acts for."))
    else:
        district = None
    if role == ROLE.DEPARTMENT_OFFICIAL:
        if department is None:
            raise ValidationError(_("Choose the department this official acts for."))
        if DepartmentOfficial.objects.filter(user=person, department=department).exists():
            raise ValidationError(_("This person already holds this role."))
        DepartmentOfficial.objects.create(user=person, department=department)
        StaffRole.objects.get_or_create(user=person, role=role, district=None)
    else:
        if StaffRole.objects.filter(user=person, role=role, district=district).exists():
            raise ValidationError(_("This person already holds this role."))
        StaffRole.objects.create(user=person, role=role, district=district)
    if not person.is_staff:
        person.is_staff = True
        person.save(update_fields=["is_staff"])
    _check_budget_office_remains(actor=actor, was_office=was_office)
    _audit(
        AuditEvent.Type.STAFF_ROLE_GRANTED,
        actor=actor,
        person=person,
        reason=reason,
        role=role,
        district=district.slug if district else None,
        department=department.slug if department else None,
    )


@transaction.atomic
def revoke_role(*, actor: User, grant: StaffRole | DepartmentOfficial, reason: str) -> None:
    """Take a role (or one department post) away. With no role left the person is no longer
    staff, since staff with no role at all would be the budget office."""
    person = User.objects.select_for_update().get(pk=grant.user_id)
    was_office = _is_budget_office_now(actor)
    details: dict[str, str | None] = {"district": None, "department": None}
    role: str
    if isinstance(grant, DepartmentOfficial):
        role = ROLE.DEPARTMENT_OFFICIAL
        details["department"] = grant.department.slug
        grant.delete()
        if not DepartmentOfficial.objects.filter(user=person).exists():
            StaffRole.objects.filter(user=person, role=role).delete()
    else:
        role = grant.role
        district = grant.district
        details["district"] = district.slug if district is not None else None
        grant.delete()
    if not StaffRole.objects.filter(user=person).exists() and person.is_staff:
        if person.is_superuser:
            raise ValidationError(
                _(
                    "This is the account's last role and it is a superuser's: with no role it "
                    "would count as the budget office. Change the superuser in the admin first."
                )
            )
        person.is_staff = False
        person.save(update_fields=["is_staff"])
    _check_budget_office_remains(actor=actor, was_office=was_office)
    _audit(
        AuditEvent.Type.STAFF_ROLE_REVOKED,
        actor=actor,
        person=person,
        reason=reason,
        role=role,
        **details,
    )
