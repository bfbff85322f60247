"""What every desk page's frame needs: the top bar's links for the signed-in user's role, and the
learned models' links the reports' tabs show."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from solvent.core.selectors import staff_role_get
from solvent.desk.roles import model_links, nav_links


def desk_frame(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": [], "model_links": [], "desk_role": None}
    role = staff_role_get(user=user)
    return {
        "nav_links": _resolved(nav_links(role)),
        "model_links": _resolved(model_links(role)),
        "desk_role": role,
    }


def _resolved(names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    links = []
    for name, label in names:
        try:
            links.append((reverse(name), label))
        except NoReverseMatch:  # a feature not installed in this build
            continue
    return links
