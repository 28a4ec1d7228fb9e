"""Pages at the site's root, outside the `tenders` namespace: the home page that sends each kind
of user to their work, and the signed document links e-mailed to clients."""

from django.urls import path

from tenders.accounts.views import home
from tenders.documents.views import document_link
from tenders.online import views as online

urlpatterns = [
    path("", home, name="home"),
    path("d/<str:token>/", document_link, name="document_link"),
    # The client's own page, from the link in their letter and reminders (no login).
    path("c/<str:token>/", online.client_page, name="client_page"),
    path("c/<str:token>/projection/", online.client_projection, name="client_projection"),
    path("c/<str:token>/received/", online.client_received, name="client_received"),
]
