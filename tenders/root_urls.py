"""Pages at the site's root, outside the `tenders` namespace: the home page that sends each kind
of user to their work, the signed document links e-mailed to clients, and the client's side
(its own URL module: the page a client opens from the link in their letter)."""

from django.urls import include, path

from tenders.documents.views import document_link
from tenders.pages.views import home

urlpatterns = [
    path("", home, name="home"),
    path("d/<str:token>/", document_link, name="document_link"),
    path("", include("tenders.online.urls")),
]
