"""Desk pages of the agent's dialer (issue 14): the dialer page, and the dialer call on an
account screen; included from desk/urls.py under /dialer/."""

from django.urls import URLPattern, path

from solvent.desk import views_dialer

urlpatterns: list[URLPattern] = [
    path("", views_dialer.dialer_home, name="dialer_home"),
    path("state/", views_dialer.dialer_state, name="dialer_state"),
    path("login/", views_dialer.dialer_login, name="dialer_login"),
    path("ready/", views_dialer.dialer_ready, name="dialer_ready"),
    path("pause/", views_dialer.dialer_pause, name="dialer_pause"),
    path("logout/", views_dialer.dialer_logout, name="dialer_logout"),
    path("wrap-up/done/", views_dialer.dialer_wrap_up_done, name="dialer_wrap_up_done"),
    path("preview/dial/", views_dialer.dialer_preview_dial, name="dialer_preview_dial"),
    path(
        "accounts/<int:account_id>/call/",
        views_dialer.dialer_call_panel,
        name="dialer_call_panel",
    ),
    path(
        "accounts/<int:account_id>/call/guided/",
        views_dialer.dialer_call_guided,
        name="dialer_call_guided",
    ),
    path(
        "accounts/<int:account_id>/call/hangup/",
        views_dialer.dialer_call_hangup,
        name="dialer_call_hangup",
    ),
    path(
        "accounts/<int:account_id>/call/outcome/",
        views_dialer.dialer_call_outcome,
        name="dialer_call_outcome",
    ),
]
