"""Desk pages of the remittance feature (issue 13); included from desk/urls.py at /remittance/."""

from django.urls import URLPattern, path

from solvent.desk import views_remittance as views

urlpatterns: list[URLPattern] = [
    path("", views.remittance_page, name="remittance"),
    path("issue/", views.remittance_issue_form, name="remittance_issue"),
]
