"""Desk pages of the settlements feature (issue 13); included from desk/urls.py."""

from django.urls import URLPattern, path

from solvent.desk import views_settlements as views

_BASE = "accounts/<int:account_id>/settlements/"
_ONE = f"{_BASE}<int:settlement_id>/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.settlements_panel, name="settlements_panel"),
    path(f"{_BASE}offer/", views.settlement_offer, name="settlement_offer"),
    path(f"{_ONE}accept/", views.settlement_accept, name="settlement_accept"),
    path(f"{_ONE}cancel/", views.settlement_cancel, name="settlement_cancel"),
    path(f"{_ONE}letter.pdf", views.settlement_letter, name="settlement_letter"),
    # The checker's half: supervisors and admins, never the maker (the service proves it).
    path(f"{_ONE}approve/", views.settlement_approve, name="settlement_approve"),
    path(f"{_ONE}decline/", views.settlement_decline, name="settlement_decline"),
    path("settlements/approvals/", views.settlement_approvals, name="settlement_approvals"),
]
