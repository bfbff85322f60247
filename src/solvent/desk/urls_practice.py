"""Desk pages of issue 16 (practice); included from desk/urls.py under /practice/."""

from django.urls import URLPattern, path

from solvent.desk import views_practice

urlpatterns: list[URLPattern] = [
    path("", views_practice.practice_home, name="practice"),
    path("start/", views_practice.practice_start, name="practice_start"),
    path("<int:session_id>/", views_practice.practice_session, name="practice_session"),
    path("<int:session_id>/act/", views_practice.practice_action, name="practice_act"),
    path("<int:session_id>/finish/", views_practice.practice_finish, name="practice_finish"),
    path("<int:session_id>/result/", views_practice.practice_result, name="practice_result"),
]
