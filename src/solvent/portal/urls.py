"""The debtor's page (public: a signed link and a check open it)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("solvent.portal.urls_chat")),
]
