"""Public payment URLs: the gateway's webhooks and the fake gateway's checkout page."""

from django.urls import URLPattern, path

from solvent.payments import views

app_name = "payments"

urlpatterns: list[URLPattern] = [
    path("webhooks/<slug:gateway>/", views.webhook, name="webhook"),
    path("fake/checkout/<str:checkout_id>/", views.fake_checkout, name="fake_checkout"),
]
