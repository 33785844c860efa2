"""The budget office's console (staff with their second factor, under /staff/console/)."""

from django.urls import path

from console import checks_views
from console import control_views
from console import dashboards_views
from console import exports_views
from console import staff_views
from console import survey_views
from console import wizard_views

app_name = "console"

urlpatterns: list = [
    # --- set-up wizard and phase control room (/staff/console/cycles/...) ----------------------
    path("staff/console/cycles/", control_views.CycleListView.as_view(), name="cycles"),
    path("staff/console/cycles/new/", wizard_views.WizardNewView.as_view(), name="wizard-new"),
    path(
        "staff/console/cycles/<slug:slug>/setup/",
        wizard_views.WizardSummaryView.as_view(),
        name="wizard-summary",
    ),
    path(
        "staff/console/cycles/<slug:slug>/setup/pots/add/",
        wizard_views.PotView.as_view(),
        name="wizard-pot-add",
    ),
    path(
        "staff/console/cycles/<slug:slug>/setup/pots/<int:pk>/",
        wizard_views.PotView.as_view(),
        name="wizard-pot",
    ),
    path(
        "staff/console/cycles/<slug:slug>/setup/pots/<int:pk>/remove/",
        wizard_views.PotRemoveView.as_view(),
        name="wizard-pot-remove",
    ),
    path(
        "staff/console/cycles/<slug:slug>/setup/<slug:step>/",
        wizard_views.WizardStepView.as_view(),
        name="wizard-step",
    ),
    path(
        "staff/console/cycles/<slug:slug>/control/",
        control_views.ControlRoomView.as_view(),
        name="control",
    ),
    path(
        "staff/console/cycles/<slug:slug>/control/<slug:action>/",
        control_views.ControlActionView.as_view(),
        name="control-action",
    ),
    # --- end of set-up wizard and phase control room --------------------------------------------
]

# --- oversight: pre-publication checks, turnout dashboards, officials' exports (issue #14) ------
urlpatterns += [
    path(
        "staff/console/cycles/<slug:slug>/checks/",
        checks_views.PublicationChecksView.as_view(),
        name="checks",
    ),
    path(
        "staff/console/cycles/<slug:slug>/dashboard/",
        dashboards_views.DashboardView.as_view(),
        name="dashboard",
    ),
    path(
        "staff/console/cycles/<slug:slug>/dashboard/population/",
        dashboards_views.PopulationView.as_view(),
        name="population",
    ),
    path(
        "staff/console/cycles/<slug:slug>/exports/",
        exports_views.ExportsView.as_view(),
        name="exports",
    ),
    path(
        "staff/console/cycles/<slug:slug>/exports/<slug:kind>.<str:fmt>",
        exports_views.ExportDownloadView.as_view(),
        name="export",
    ),
]

# --- staff roles: who holds which role, granted and revoked with a reason (issue #14) ----------
urlpatterns += [
    path("staff/roles/", staff_views.StaffRolesView.as_view(), name="staff-roles"),
    path(
        "staff/roles/<str:key>/revoke/",
        staff_views.StaffRoleRevokeView.as_view(),
        name="staff-role-revoke",
    ),
]

# --- the survey source of the weighted rule: counts per pot and project (issue 12) ------------
urlpatterns += [
    path(
        "staff/cycles/<slug:slug>/survey/",
        survey_views.SurveyCountsView.as_view(),
        name="survey",
    ),
]
