"""The chat on the debtor's page (the chat track fills it); included from portal/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
