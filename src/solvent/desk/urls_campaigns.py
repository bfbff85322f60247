"""Slot: filled by the dialer work (issue 14)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
