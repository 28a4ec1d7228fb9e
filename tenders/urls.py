from django.urls import path

from tenders import views

app_name = "tenders"

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
]
