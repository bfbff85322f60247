"""Desk pages of the work queue: next account, callbacks, screen pop, messages (issue 11)."""

from django.urls import URLPattern, path

from solvent.desk import views_queue

urlpatterns: list[URLPattern] = [
    path("queue/", views_queue.queue_page, name="queue"),
    path("queue/next/", views_queue.queue_next, name="queue_next"),
    path("pop/", views_queue.screen_pop, name="screen_pop"),
    path(
        "accounts/<int:account_id>/work-items/<int:item_id>/open/",
        views_queue.work_item_open,
        name="work_item_open",
    ),
    path(
        "accounts/<int:account_id>/work-items/<int:item_id>/done/",
        views_queue.work_item_done,
        name="work_item_done",
    ),
    path(
        "accounts/<int:account_id>/queue-panel/",
        views_queue.account_queue_panel,
        name="account_queue_panel",
    ),
    path(
        "accounts/<int:account_id>/callbacks/",
        views_queue.callback_create,
        name="callback_create",
    ),
    path(
        "accounts/<int:account_id>/callbacks/<int:callback_id>/cancel/",
        views_queue.callback_cancel,
        name="callback_cancel",
    ),
    path(
        "accounts/<int:account_id>/messages/preview/",
        views_queue.message_preview,
        name="message_preview",
    ),
    path("accounts/<int:account_id>/messages/", views_queue.message_send, name="message_send"),
    path(
        "accounts/<int:account_id>/messages/<int:message_id>/",
        views_queue.message_status,
        name="message_status",
    ),
]
