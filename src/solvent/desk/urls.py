from django.urls import path

from solvent.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.account_search, name="account_search"),
    path("accounts/<int:account_id>/", views.account_detail, name="account_detail"),
    path("accounts/<int:account_id>/timeline/", views.account_timeline, name="account_timeline"),
]
