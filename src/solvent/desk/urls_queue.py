"""Desk pages of the work queue: next account, callbacks, screen pop, messages (issue 11)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
