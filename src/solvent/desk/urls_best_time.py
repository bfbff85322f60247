"""Desk pages of issue 16 (best_time); included from desk/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
