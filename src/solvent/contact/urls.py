"""Public endpoints of the contact app: provider webhooks and unsubscribe links."""

from django.urls import path

from solvent.contact import views

app_name = "contact"

urlpatterns = [
    path("webhooks/twilio/sms", views.twilio_inbound_sms, name="twilio_inbound_sms"),
    path("webhooks/twilio/status", views.twilio_status, name="twilio_status"),
    path("webhooks/email/events", views.email_events, name="email_events"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
