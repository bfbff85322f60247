"""Desk pages of placements and their profiles (issue 15); included from desk/urls.py at /placements/."""

from django.urls import URLPattern, path

from solvent.desk import views_placements as views

urlpatterns: list[URLPattern] = [
    path("", views.placements, name="placements"),
    path("upload/", views.placement_upload_form, name="placement_upload"),
    path("upload/confirm/", views.placement_upload_confirm, name="placement_upload_confirm"),
    path("profiles/", views.profiles, name="placement_profiles"),
    path("profiles/new/", views.profile_new, name="placement_profile_new"),
    path("profiles/save/", views.profile_save, name="placement_profile_save"),
    path("profiles/<int:profile_id>/edit/", views.profile_edit, name="placement_profile_edit"),
]
