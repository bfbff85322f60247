"""Desk pages of the call recordings (issue 14); included from desk/urls.py at /recordings/."""

from django.urls import URLPattern, path

from solvent.desk import views_recordings

urlpatterns: list[URLPattern] = [
    path("<int:recording_id>/", views_recordings.recording_play, name="recording_play"),
]
