"""Desk pages of issue 16 (screen); included from desk/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
