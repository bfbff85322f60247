"""Desk pages of issue 16 (quality); included from desk/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
