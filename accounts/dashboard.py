"""The sections of "My participation", filled by the apps that own what they show.

``accounts`` is below ``proposals``, ``voting`` and ``implementation`` in the app order, so it
cannot read their data itself: each registers its section at ``ready()`` (a template and a
function of the resident giving the template's context), and the dashboard renders them in
``order``. A section whose function returns None is left out.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DashboardSection:
    key: str
    order: int
    template_name: str
    get_context: Callable[[Any], dict[str, Any] | None]  # the logged-in resident (a User)


_sections: dict[str, DashboardSection] = {}


def register_dashboard_section(
    *,
    key: str,
    order: int,
    template_name: str,
    get_context: Callable[[Any], dict[str, Any] | None],
) -> None:
    """Add (or replace, by ``key``) a section of "My participation"."""
    _sections[key] = DashboardSection(key, order, template_name, get_context)


def build_dashboard_sections(*, user) -> list[tuple[str, dict[str, Any]]]:
    """Every registered section for ``user``, in order: (template name, context)."""
    built = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        context = section.get_context(user)
        if context is not None:
            built.append((section.template_name, context))
    return built
