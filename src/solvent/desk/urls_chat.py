"""Desk pages of the chat feature (issue 13, docs/chat.md); included from desk/urls.py."""

from django.urls import URLPattern, path

from solvent.desk import views_chat as views

_BASE = "accounts/<int:account_id>/chat/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.chat_panel, name="chat_panel"),
    path(f"{_BASE}messages/", views.chat_poll, name="chat_poll"),
    path(f"{_BASE}<int:conversation_id>/reply/", views.chat_reply, name="chat_reply"),
    path(f"{_BASE}<int:conversation_id>/close/", views.chat_close, name="chat_close"),
    path("chats/", views.chats_waiting, name="chats_waiting"),
]
