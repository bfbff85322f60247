"""Desk pages of issue 16 (practice); included from desk/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
