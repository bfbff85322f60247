"""The chat on the debtor's page (docs/chat.md); included from portal/urls.py under /my/."""

from django.urls import URLPattern, path

from solvent.portal import views_chat as views

urlpatterns: list[URLPattern] = [
    path("chat/", views.chat_widget, name="chat_widget"),
    path("chat/messages/", views.chat_poll, name="chat_poll"),
    path("chat/send/", views.chat_send, name="chat_send"),
]
