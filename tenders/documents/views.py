"""Downloads of issued documents: exactly the stored bytes, never re-rendered."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from tenders.documents.models import Document
from tenders.documents.selectors import LinkExpired, document_from_link, documents_for_user


def _pdf_response(document: Document, *, inline: bool = False) -> HttpResponse:
    """Exactly the stored bytes, never re-rendered."""
    response = HttpResponse(bytes(document.content), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{document.filename}"'
    response["ETag"] = f'"{document.sha256}"'
    response["X-Content-SHA256"] = document.sha256
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A representative downloads the firm's documents; operations staff any."""
    return _pdf_response(get_object_or_404(documents_for_user(user=request.user), pk=pk))


def document_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link e-mailed to the client: no login, valid for a limited time."""
    try:
        document = document_from_link(token)
    except LinkExpired:
        return render(request, "tenders/link_expired.html", status=410)
    except Document.DoesNotExist:
        raise Http404("No such document.") from None
    return _pdf_response(document, inline=True)
