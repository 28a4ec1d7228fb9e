"""The client's own page, from the link in their letter and reminders (no login), at the site's
root, outside the `tenders` namespace: the URL names are the site's (`client_page`, ...)."""

from django.urls import path

from tenders.online import views

urlpatterns = [
    path("c/<str:token>/", views.client_page, name="client_page"),
    path("c/<str:token>/projection/", views.client_projection, name="client_projection"),
    path("c/<str:token>/received/", views.client_received, name="client_received"),
]
