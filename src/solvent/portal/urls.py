"""The debtor's page (public: a signed link and a check open it)."""

from django.urls import URLPattern

app_name = "portal"

urlpatterns: list[URLPattern] = []
