"""Public payment URLs: the gateway's webhooks and the fake gateway's checkout page."""

from django.urls import URLPattern

app_name = "payments"

urlpatterns: list[URLPattern] = []
