"""Desk pages of issue 16 (best_time); included from desk/urls.py at /analytics/best-time/."""

from django.urls import URLPattern, path

from solvent.desk import views_best_time

urlpatterns: list[URLPattern] = [
    path("", views_best_time.best_time, name="best_time"),
]
