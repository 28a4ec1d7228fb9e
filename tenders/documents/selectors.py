"""Reads about issued documents, and the signed links clients open without logging in."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from notes.models import ExchangeOffer
from tenders.accounts import permissions
from tenders.accounts.models import ClientAccount
from tenders.accounts.permissions import User
from tenders.documents.models import Document, DocumentSnapshot

LINK_SALT = "tenders.document-link"


def account_documents(*, account: ClientAccount, offer: ExchangeOffer) -> QuerySet[Document]:
    """The account's issued documents, newest first, with their e-mails; without the bytes."""
    return (
        Document.objects.filter(account=account, offer=offer)
        .select_related("instruction")
        .prefetch_related("messages", "dispatches")
        .defer("content")
        .order_by("-generated_wall_at", "-id")
    )


def documents_for_user(*, user: User) -> QuerySet[Document]:
    """The documents a user may download: their firm's, or every firm's for operations."""
    return permissions.visible_by_account(
        user=user, rows=Document.objects.all(), account_path="account"
    )


def snapshots_without_document(
    *, taken_before: datetime, left_to: QuerySet[Any, Any] | None = None
) -> QuerySet[DocumentSnapshot]:
    """Snapshots (taken before `taken_before`, wall clock) whose document was never stored:
    its task was lost or its worker died. Oldest first. `left_to`: the keys (a query of one
    column) that other work will issue, such as a bulk run's open items."""
    issued = Document.objects.filter(key=OuterRef("key"))
    missing = DocumentSnapshot.objects.filter(taken_wall_at__lt=taken_before).filter(
        ~Exists(issued)
    )
    if left_to is not None:
        missing = missing.exclude(key__in=left_to)
    return missing.select_related("account", "instruction").order_by("taken_wall_at", "pk")


def document_link(document: Document) -> str:
    """A link the client can open without logging in, valid for DOCUMENT_LINK_MAX_AGE_DAYS."""
    token = signing.dumps({"document": document.pk}, salt=LINK_SALT)
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("document_link", args=[token])


class LinkExpired(Exception):
    pass


def document_from_link(token: str) -> Document:
    """The document a signed link names; LinkExpired after its time, DoesNotExist if forged."""
    max_age = timedelta(days=settings.DOCUMENT_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise Document.DoesNotExist from None
    return Document.objects.get(pk=payload["document"])
