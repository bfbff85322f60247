"""Desk pages of issue 16 (screen recording, ADR 0043); included from desk/urls.py at /screen/."""

from django.urls import URLPattern, path

from solvent.desk import views_screen

urlpatterns: list[URLPattern] = [
    path("recordings/start/", views_screen.screen_start, name="screen_start"),
    path("recordings/<int:recording_id>/", views_screen.screen_replay, name="screen_replay"),
    path("recordings/<int:recording_id>/chunks/", views_screen.screen_chunk, name="screen_chunk"),
    path("recordings/<int:recording_id>/events/", views_screen.screen_events, name="screen_events"),
]
