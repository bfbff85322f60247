"""Desk pages of issue 16 (analytics): the KPIs, the reports, their exports and the monthly client
report; included from desk/urls.py at /analytics/ (after best-time/ and propensity/)."""

from django.urls import URLPattern, path

from solvent.desk import views_analytics as views

urlpatterns: list[URLPattern] = [
    path("", views.analytics_kpis, name="analytics"),
    path("client-report.pdf", views.analytics_client_report, name="analytics_client_report"),
    path("<slug:report>.csv", views.analytics_export, {"fmt": "csv"}, name="analytics_export_csv"),
    path(
        "<slug:report>.xlsx",
        views.analytics_export,
        {"fmt": "xlsx"},
        name="analytics_export_xlsx",
    ),
    path("<slug:report>/", views.analytics_report, name="analytics_report"),
]
