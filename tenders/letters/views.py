"""A representative prints one client's letter from the account page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from exchange_office.http import AuthenticatedHttpRequest
from notes.selectors import current_offer
from tenders.accounts.selectors import accounts_for_user
from tenders.letters.services import client_letter_issue


@login_required
@require_POST
def client_letter_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Issue the account's letter for the offer as it stands (or find it issued), then
    download it: the stored bytes, like any document."""
    account = get_object_or_404(accounts_for_user(user=request.user), pk=pk)
    offer = current_offer()
    if offer is None:
        raise PermissionDenied("There is no exchange offer.")
    try:
        document = client_letter_issue(offer=offer, account=account, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tenders:account_detail", pk=account.pk)
    return redirect("tenders:document_download", pk=document.pk)
