from django.urls import path

app_name = "console"

urlpatterns: list = []

# --- oversight: pre-publication checks, turnout dashboards, officials' exports (issue #14) ------
from console import checks_views  # noqa: E402
from console import dashboards_views  # noqa: E402
from console import exports_views  # noqa: E402

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
