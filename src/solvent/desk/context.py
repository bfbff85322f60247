"""What every desk page's frame needs: the top bar's links for the signed-in user's role."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from solvent.core.selectors import staff_role_get
from solvent.desk.roles import nav_links


def desk_frame(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": [], "desk_role": None}
    role = staff_role_get(user=user)
    links = []
    for name, label in nav_links(role):
        try:
            links.append((reverse(name), label))
        except NoReverseMatch:  # a feature not installed in this build
            continue
    return {"nav_links": links, "desk_role": role}
