"""The representative's account pages: the list, an account, its history, a recorded TIN
reveal; and the home page that sends each kind of user to their work. Views parse input, call
one service or selector and answer; who may see what is `tenders.permissions`."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from exchange_office import clock
from exchange_office.http import AuthenticatedHttpRequest
from notes.models import ExchangeOffer
from notes.selectors import current_offer
from tenders.accounts import permissions
from tenders.accounts.audit import account_audit_trail
from tenders.accounts.forms import RevealTinForm
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.accounts.selectors import (
    ANSWER_LABELS,
    AnswerFilter,
    account_keys,
    accounts_for_user,
    excluded_states,
    firm_deadlines,
    page_with_list_columns,
    position_for,
)
from tenders.accounts.services import account_reveal_tin
from tenders.approvals.models import ProposalKind
from tenders.approvals.policy import needs_second_person
from tenders.approvals.selectors import account_held, approved_tin_reveal
from tenders.approvals.services import tin_reveal_request, tin_reveal_with_approval
from tenders.data_version.cache import DataVersionPaginator, cached_under_version
from tenders.documents.selectors import account_documents
from tenders.domain.lifecycle import OPEN
from tenders.instructions.selectors import account_instructions
from tenders.letters.selectors import account_contacts
from tenders.online.selectors import account_submissions, client_links

PAGE_SIZE = 25


def offer_or_404() -> ExchangeOffer:
    offer = current_offer()
    if offer is None:
        raise Http404("There is no exchange offer yet.")
    return offer


def account_or_404(request: HttpRequest, pk: int) -> ClientAccount:
    """Only the accounts the user may see exist: another firm's id answers 404."""
    return get_object_or_404(accounts_for_user(user=request.user), pk=pk)


def deadline_context(offer: ExchangeOffer, firm: BrokerFirm | None) -> dict[str, Any]:
    """The firm's cutoff (operations looking at every firm have none) and the expiration."""
    return {
        "deadlines": firm_deadlines(firm=firm, offer=offer) if firm is not None else None,
        "expiration": offer.expiration,
        "business_now": clock.now(),
        "clock_pinned": clock.is_pinned(),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each kind of user where their work is."""
    if permissions.firm_for_user(user=request.user) is not None:
        return redirect("tenders:account_list")
    if permissions.may_use_admin(user=request.user):
        return redirect("admin:index")
    return render(request, "no_role.html", status=403)


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    if not permissions.may_use_broker_pages(user=request.user):
        raise Http404("Not a representative of a firm.")
    firm = permissions.firm_for_user(user=request.user)
    offer = current_offer()
    if offer is None:
        return render(request, "tenders/no_offer.html", {"firm": firm})
    search = request.GET.get("q", "")
    try:
        answer = AnswerFilter(request.GET.get("answer", "")) if request.GET.get("answer") else None
    except ValueError:
        answer = None
    query = {k: v for k, v in {"q": search, "answer": answer or ""}.items() if v}

    def rows() -> str:
        keys = account_keys(user=request.user, offer=offer, search=search, answer=answer)
        page = DataVersionPaginator(keys.values_list("pk", flat=True), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        page.object_list = page_with_list_columns(keys, list(page.object_list), offer=offer)
        return render_to_string(
            "tenders/includes/account_rows.html",
            {
                "firm": firm,
                "page": page,
                "query_string": urlencode(query),
                "excluded_states": excluded_states(offer=offer),
            },
        )

    # The rows show only what the data version watches (accounts, owners, positions,
    # instructions, the offer's excluded states): kept until the next write, per firm and
    # query. Who may see which firm is decided here, before the cache.
    scope = firm.pk if firm is not None else "all-firms"
    params = "&".join(sorted(request.GET.urlencode().split("&")))
    key = f"account-rows:{offer.pk}:{scope}:{params}"
    return render(
        request,
        "tenders/account_list.html",
        {
            "firm": firm,
            "offer": offer,
            "rows": mark_safe(cached_under_version(key, rows)),
            "search": search,
            "answer": answer,
            "answer_labels": ANSWER_LABELS,
            **deadline_context(offer, firm),
        },
    )


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(request, pk)
    offer = offer_or_404()
    return render(request, "tenders/account_detail.html", _account_context(request, account, offer))


def _account_context(
    request: HttpRequest, account: ClientAccount, offer: ExchangeOffer, **extra: Any
) -> dict[str, Any]:
    instructions = list(account_instructions(account=account, offer=offer))
    latest = instructions[0] if instructions else None
    return {
        "account": account,
        "offer": offer,
        "position": position_for(account=account, offer=offer),
        "instruction": latest,
        "is_open": latest is not None and latest.status in OPEN,
        "may_reveal": permissions.may_reveal_tin(user=request.user),
        "documents": account_documents(account=account, offer=offer),
        "reveal_form": RevealTinForm(),
        "client_links": client_links(account=account, offer=offer),
        "online_submissions": account_submissions(account=account, offer=offer),
        "held": account_held(account=account, offer=offer),
        **deadline_context(offer, account.firm),
        **extra,
    }


@login_required
def account_history(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(request, pk)
    offer = offer_or_404()
    return render(
        request,
        "tenders/account_history.html",
        {
            "account": account,
            "offer": offer,
            "instructions": account_instructions(account=account, offer=offer),
            "audit_entries": account_audit_trail(account=account),
            "contacts": account_contacts(account=account, offer=offer),
        },
    )


@login_required
@require_POST
def account_reveal_tin_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(request, pk)
    offer = offer_or_404()
    form = RevealTinForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            if needs_second_person(ProposalKind.REVEAL_TIN):
                revealed = _reveal_with_approval(request, account, offer, form.cleaned_data)
            else:
                revealed = account_reveal_tin(
                    account=account, by=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            form.add_error("reason", exc.messages[0])
    context = _account_context(request, account, offer, reveal_form=form, revealed_tin=revealed)
    response = render(request, "tenders/account_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _reveal_with_approval(
    request: AuthenticatedHttpRequest,
    account: ClientAccount,
    offer: ExchangeOffer,
    data: dict[str, Any],
) -> str | None:
    """TIN_REVEAL_NEEDS_APPROVAL: the number once another person approved this user's
    request today; otherwise the request is made (and the page says so)."""
    approved = approved_tin_reveal(account=account, by=request.user)
    if approved is not None:
        return tin_reveal_with_approval(proposal=approved, by=request.user)
    tin_reveal_request(account=account, offer=offer, reason=data["reason"], by=request.user)
    messages.info(
        request,
        "Requested: a full taxpayer ID is shown once another person who may reveal it approves "
        "your request (Admin > Proposals). Then ask again here, today.",
    )
    return None
