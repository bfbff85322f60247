"""Desk pages of issue 16 (propensity); included from desk/urls.py."""

from django.urls import URLPattern, path

from solvent.desk import views_propensity as views

urlpatterns: list[URLPattern] = [
    path("", views.propensity, name="propensity"),
    path("train/", views.propensity_train, name="propensity_train"),
    path("accounts/<int:account_id>/", views.propensity_account, name="propensity_account"),
]
