"""Desk pages of the dialer's campaigns (issue 14); included from desk/urls.py at /campaigns/."""

from django.urls import URLPattern, path

from solvent.desk import views_campaigns

urlpatterns: list[URLPattern] = [
    path("", views_campaigns.campaign_list, name="campaign_list"),
    path("new/", views_campaigns.campaign_new, name="campaign_new"),
    path(
        "why-not/<int:account_id>/",
        views_campaigns.account_dialer_why_not,
        name="account_dialer_why_not",
    ),
    path("<slug:key>/", views_campaigns.campaign_edit, name="campaign_edit"),
    path("<slug:key>/pause/", views_campaigns.campaign_pause_view, name="campaign_pause"),
    path("<slug:key>/resume/", views_campaigns.campaign_resume_view, name="campaign_resume"),
]
