"""Desk pages of the compliance officer's review (issue 11; ADR 0027); included at /review/."""

from django.urls import URLPattern, path

from solvent.desk import views_review as views

urlpatterns: list[URLPattern] = [
    path("", views.review, name="review"),
    path("decisions/<int:decision_id>/", views.review_decision, name="review_decision"),
    path("holds/", views.review_holds, name="review_holds"),
    path("holds/<int:hold_id>/release/", views.review_hold_release, name="review_hold_release"),
    path(
        "holds/<int:hold_id>/release-request/",
        views.review_hold_release_request,
        name="review_hold_release_request",
    ),
    path(
        "holds/<int:hold_id>/release-request/approve/",
        views.review_hold_release_approve,
        name="review_hold_release_approve",
    ),
    path(
        "holds/<int:hold_id>/release-request/reject/",
        views.review_hold_release_reject,
        name="review_hold_release_reject",
    ),
    path("consents/", views.review_consents, name="review_consents"),
    path(
        "debtors/<int:debtor_id>/consents/revoke/",
        views.review_consent_revoke,
        name="review_consent_revoke",
    ),
    path("accounts/", views.review_accounts, name="review_accounts"),
    path("accounts/<int:account_id>/", views.review_account, name="review_account"),
    path("accounts/<int:account_id>/holds/", views.review_hold_place, name="review_hold_place"),
    path(
        "accounts/<int:account_id>/evidence/",
        views.review_evidence_export,
        name="review_evidence_export",
    ),
]
