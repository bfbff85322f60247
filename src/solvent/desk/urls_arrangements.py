"""Desk pages of the arrangements feature (issue 11); included from desk/urls.py."""

from django.urls import URLPattern, path

from solvent.desk import views_arrangements as views

_BASE = "accounts/<int:account_id>/arrangements/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.arrangements_panel, name="arrangements_panel"),
    path(f"{_BASE}live/", views.arrangements_live, name="arrangements_live"),
    path(f"{_BASE}promises/", views.promise_create, name="promise_create"),
    path(f"{_BASE}promises/<int:promise_id>/cancel/", views.promise_cancel, name="promise_cancel"),
    path(
        f"{_BASE}statements/",
        views.income_expenditure_record,
        name="income_expenditure_record",
    ),
    path(f"{_BASE}plans/", views.plan_propose, name="plan_propose"),
    path(f"{_BASE}plans/<int:plan_id>/accept/", views.plan_accept, name="plan_accept"),
    path(
        f"{_BASE}vulnerability/",
        views.vulnerability_flag_record,
        name="vulnerability_flag_record",
    ),
    path(
        f"{_BASE}vulnerability/<int:flag_id>/end/",
        views.vulnerability_flag_end,
        name="vulnerability_flag_end",
    ),
]
