from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from exchange_office import views
from tenders.views import document_link

admin.site.site_header = "Exchange Office — operations"
admin.site.site_title = "Exchange Office operations"
admin.site.index_title = "Run the offer"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("d/<str:token>/", document_link, name="document_link"),
    path("", include("tenders.urls")),
]
