from django.contrib import admin
from django.contrib import messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ResidentProfile
from accounts.models import StaffRole
from accounts.models import User
from accounts.services import verify_resident


class ResidentProfileInline(admin.StackedInline):
    model = ResidentProfile
    fk_name = "user"
    can_delete = False
    readonly_fields = ["verified_at", "verified_by"]


class StaffRoleInline(admin.TabularInline):
    """What a member of staff may do (none: the budget office, as before roles existed)."""

    model = StaffRole
    extra = 0
    fields = ["role", "district", "granted_at"]
    readonly_fields = ["granted_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    filter_horizontal = ()  # plain labelled selects: Django's two-box widget fails axe
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "resident_profile__display_name"]
    inlines = [ResidentProfileInline, StaffRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(ResidentProfile)
class ResidentProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "district", "birth_year", "relation", "verified_at"]
    list_filter = ["district", "relation", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["display_name", "user__email"]
    readonly_fields = ["verified_at", "verified_by"]
    actions = ["verify_selected"]

    @admin.action(description=_("Mark selected residents as verified"))
    def verify_selected(self, request, queryset):
        count = sum(verify_resident(profile=p, actor=request.user) for p in queryset)
        self.message_user(
            request,
            ngettext("%d resident verified.", "%d residents verified.", count) % count,
            messages.SUCCESS,
        )


# Groups as Django registers them, but with a plain labelled select for the permissions
# (Django's two-box widget puts aria-label on a plain span: axe aria-prohibited-attr).
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    filter_horizontal = ()
