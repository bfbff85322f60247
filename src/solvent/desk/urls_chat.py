"""Desk pages of the chat feature (issue 13); included from desk/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
