"""Desk pages of issue 16 (quality); included from desk/urls.py at /quality/."""

from django.urls import URLPattern, path

from solvent.desk import views_quality, views_quality_agents

urlpatterns: list[URLPattern] = [
    path("", views_quality.quality_home, name="quality"),
    path("calls/<int:call_id>/", views_quality.quality_call, name="quality_call"),
    path("agents/<int:user_id>/", views_quality_agents.quality_agent, name="quality_agent"),
    path(
        "agents/<int:user_id>/notes/",
        views_quality_agents.quality_note_create,
        name="quality_note_create",
    ),
    path("mine/", views_quality_agents.quality_mine, name="quality_mine"),
    path(
        "notes/<int:note_id>/acknowledge/",
        views_quality_agents.quality_note_acknowledge,
        name="quality_note_acknowledge",
    ),
]
