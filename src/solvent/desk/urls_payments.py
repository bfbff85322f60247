"""Desk pages of the payments feature (issue 13); included from desk/urls.py."""

from django.urls import URLPattern, path

from solvent.desk import views_payments as views

_BASE = "accounts/<int:account_id>/payments/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.payments_panel, name="payments_panel"),
    path(f"{_BASE}live/", views.payments_live, name="payments_live"),
    path(f"{_BASE}take/", views.payment_take, name="payment_take"),
    path(f"{_BASE}<int:payment_id>/return/", views.payment_return_view, name="payment_return"),
    path(f"{_BASE}<int:payment_id>/reverse/", views.payment_reverse_view, name="payment_reverse"),
]
