"""The followed projects' section of "My participation" (registered at ``ready()``)."""

from typing import Any

from accounts.dashboard import register_dashboard_section
from implementation.selectors import list_followed_projects


def _followed(user) -> dict[str, Any]:
    return {"followed": list_followed_projects(user=user)}


def register() -> None:
    register_dashboard_section(
        key="followed_projects",
        order=50,
        template_name="implementation/includes/_dashboard_followed.html",
        get_context=_followed,
    )
