"""The debtor's page (public: a signed link and a check open it)."""

from django.urls import URLPattern, URLResolver, include, path

from solvent.portal import views

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.page, name="page"),
    path("l/<str:token>/", views.open_link, name="open"),
    path("l/<str:token>/new/", views.resend, name="resend"),
    path("language/", views.language_switch, name="language"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("pay/", views.pay, name="pay"),
    path("promise/", views.promise, name="promise"),
    path("plan/", views.plan, name="plan"),
    path("plan/<int:plan_id>/", views.plan_offer, name="plan_offer"),
    path("settlement/<int:settlement_id>/accept/", views.settlement_accept, name="settlement"),
    path("dispute/", views.dispute, name="dispute"),
    path("stop/", views.stop, name="stop"),
    path("preferences/", views.preferences, name="preferences"),
    path("", include("solvent.portal.urls_chat")),
]
