"""Desk pages of the wallboard feature (issue 11); included from desk/urls.py at /wallboard/."""

from django.urls import URLPattern, path

from solvent.desk import views_wallboard

urlpatterns: list[URLPattern] = [
    path("", views_wallboard.wallboard, name="wallboard"),
    path("figures/", views_wallboard.wallboard_figures, name="wallboard_figures"),
    path("agents/<int:agent_id>/", views_wallboard.wallboard_agent, name="wallboard_agent"),
]
