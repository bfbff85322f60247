"""Desk pages of the call feature (issue 11); included from desk/urls.py."""

from django.urls import URLPattern, path

from solvent.desk import views_call

urlpatterns: list[URLPattern] = [
    path("accounts/<int:account_id>/call/", views_call.call_panel, name="call_panel"),
    path("accounts/<int:account_id>/call/start/", views_call.call_start, name="call_start"),
    path("accounts/<int:account_id>/call/verify/", views_call.call_verify, name="call_verify"),
    path("accounts/<int:account_id>/call/outcome/", views_call.call_outcome, name="call_outcome"),
    path("accounts/<int:account_id>/holds/", views_call.call_hold_place, name="call_hold_place"),
]
