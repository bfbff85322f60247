"""URL map: the admin back office, the REST API, login and the desk pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from solvent.config.api import api, api_docs_view

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before the API's own routes, so this login-checked view is the one serving the docs.
    path("api/docs", api_docs_view, name="api_docs"),
    path("api/", api.urls),
    path(
        "login/", auth_views.LoginView.as_view(template_name="desk/pages/login.html"), name="login"
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("contact/", include("solvent.contact.urls")),
    # Public: the payment gateway's webhooks (signature-checked) and the fake checkout.
    path("payments/", include("solvent.payments.urls")),
    # Public: the debtor's own page, opened from a signed link in a message (ADR 0032).
    path("my/", include("solvent.portal.urls")),
    path("", include("solvent.desk.urls")),
]
