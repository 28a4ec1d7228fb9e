"""The site's URLs. The apps' pages are included by module path, as INSTALLED_APPS names them:
the project package never imports the apps (tests/test_architecture.py)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from exchange_office.logins import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("tenders.root_urls")),
    path("", include("tenders.urls")),
]
