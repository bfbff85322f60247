"""Desk pages of issue 16 (analytics); included from desk/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
