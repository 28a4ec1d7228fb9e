"""Pages at the site's root, outside the `tenders` namespace: the home page that sends each kind
of user to their work, and the signed document links e-mailed to clients."""

from django.urls import path

from tenders.accounts.views import home
from tenders.documents.views import document_link

urlpatterns = [
    path("", home, name="home"),
    path("d/<str:token>/", document_link, name="document_link"),
]
