"""Desk pages of the strategy manager (issue 12); included from desk/urls.py at /strategy/."""

from django.urls import URLPattern, path

from solvent.desk import views_strategy as views
from solvent.desk import views_strategy_experiments as experiments
from solvent.desk import views_strategy_plan as plan

urlpatterns: list[URLPattern] = [
    path("", views.strategy_home, name="strategy"),
    path("new-segment/", views.strategy_segment_new, name="strategy_segment_new"),
    path("preview/", views.strategy_segment_preview, name="strategy_segment_preview"),
    path("segments/<slug:key>/", views.strategy_segment, name="strategy_segment"),
    path("paths/", views.strategy_paths, name="strategy_paths"),
    path("new-path/", views.strategy_path_new, name="strategy_path_new"),
    path("paths/<slug:key>/", views.strategy_path, name="strategy_path"),
    path("experiments/", experiments.strategy_experiments, name="strategy_experiments"),
    path("experiments/<slug:key>/", experiments.strategy_experiment, name="strategy_experiment"),
    path(
        "experiments/<slug:key>/promote/",
        experiments.strategy_experiment_promote,
        name="strategy_experiment_promote",
    ),
    path(
        "experiments/<slug:key>/stop/",
        experiments.strategy_experiment_stop,
        name="strategy_experiment_stop",
    ),
    path("plan/", plan.strategy_plan, name="strategy_plan"),
    path("plan/teams/<int:team_id>/", plan.strategy_capacity, name="strategy_capacity"),
    path("what-if/", plan.strategy_what_if, name="strategy_what_if"),
    # The account screen's "Why not?" panel (desk/templates/desk/pages/account_detail.html).
    path("accounts/<int:account_id>/why-not/", plan.account_why_not_panel, name="account_why_not"),
]
