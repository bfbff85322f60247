"""Desk pages of the arrangements feature (issue 11); included from desk/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
