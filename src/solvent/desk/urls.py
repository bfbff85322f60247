from django.urls import include, path

from solvent.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.account_search, name="account_search"),
    path("accounts/<int:account_id>/", views.account_detail, name="account_detail"),
    path("accounts/<int:account_id>/timeline/", views.account_timeline, name="account_timeline"),
    # One URL module per feature, so each is owned and reviewed on its own.
    path("", include("solvent.desk.urls_call")),
    path("", include("solvent.desk.urls_queue")),
    path("", include("solvent.desk.urls_arrangements")),
    path("", include("solvent.desk.urls_payments")),
    path("", include("solvent.desk.urls_settlements")),
    path("", include("solvent.desk.urls_chat")),
    path("remittance/", include("solvent.desk.urls_remittance")),
    path("wallboard/", include("solvent.desk.urls_wallboard")),
    path("review/", include("solvent.desk.urls_review")),
    path("strategy/", include("solvent.desk.urls_strategy")),
    path("dialer/", include("solvent.desk.urls_dialer")),
    path("recordings/", include("solvent.desk.urls_recordings")),
    path("campaigns/", include("solvent.desk.urls_campaigns")),
    path("placements/", include("solvent.desk.urls_placements")),
    # Issue 16: the specific analytics pages before the general ones.
    path("analytics/best-time/", include("solvent.desk.urls_best_time")),
    path("analytics/propensity/", include("solvent.desk.urls_propensity")),
    path("analytics/", include("solvent.desk.urls_analytics")),
    path("quality/", include("solvent.desk.urls_quality")),
    path("screen/", include("solvent.desk.urls_screen")),
    path("practice/", include("solvent.desk.urls_practice")),
]
