"""The client's page, opened from the link in their letter (no login): the identity check, the
letter's points with the projected figures, and the client's tender or withdrawal. Views
parse input, call one service and answer. (The representative's side of these submissions,
the review queue, is a page of `tenders.pages`.)"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from exchange_office import clock
from exchange_office.client_address import client_address
from exchange_office.formatting import describe_instant, dollars, exact, long_date, money
from notes.models import ExchangeOffer, OfferEvent
from notes.selectors import (
    offer_last_change,
    offer_projected_entitlement,
    offer_terms,
    offers_with_terms,
)
from tenders.accounts.models import AccountOwner
from tenders.accounts.selectors import position_for
from tenders.data_version.cache import cached_under_version
from tenders.documents.contexts import untendered_projection
from tenders.domain.lifecycle import OPEN
from tenders.domain.rules import Actor, Choice, amount_refusals
from tenders.instructions.forms import PrincipalAmountField
from tenders.letters.contexts import client_letter_context
from tenders.links.models import ClientLink
from tenders.links.selectors import client_link_token, link_deadlines
from tenders.online import agreement
from tenders.online.alerts import missed_words
from tenders.online.forms import ClientInstructionForm, IdentityForm
from tenders.online.models import SubmissionKind
from tenders.online.selectors import (
    LinkExpired,
    LinkNotFound,
    awaiting_submission,
    client_link_from_token,
    client_page_offer,
    link_locked,
    missed_submission,
    newer_link,
    submission_untendered,
    withdraw_only,
)
from tenders.online.services import (
    PageChanged,
    client_identity_check,
    client_page_moment_check,
    client_submission_create,
)

# How long a passed identity check lets the client use the page (this browser's session).
VERIFIED_FOR = timedelta(minutes=30)
_VERIFIED = "online.verified-links"


def _verified_key(link: ClientLink) -> str:
    # Who the client is was checked for the account and offer, not for one link: an older
    # link forwards to the current one without asking again.
    return f"{link.account_id}:{link.offer_id}"


def _mark_verified(request: HttpRequest, link: ClientLink) -> None:
    request.session.cycle_key()  # a new session id once the client is known
    verified = request.session.get(_VERIFIED, {})
    verified[_verified_key(link)] = clock.wall_now().isoformat()
    request.session[_VERIFIED] = verified


def _is_verified(request: HttpRequest, link: ClientLink) -> bool:
    at = request.session.get(_VERIFIED, {}).get(_verified_key(link))
    if not at:
        return False
    return clock.wall_now() - datetime.fromisoformat(at) < VERIFIED_FOR


def _link_or_page(request: HttpRequest, token: str) -> ClientLink | HttpResponse:
    try:
        link = client_link_from_token(token)
    except LinkNotFound:
        return render(request, "online/link_invalid.html", status=404)
    except LinkExpired as expired:
        return render(
            request,
            "online/link_closed.html",
            {
                "reason": "expired",
                "link": expired.link,
                "firm": expired.link.account.firm,
                "deadlines": expired.deadlines,
                "missed_paragraphs": _missed_paragraphs(request, expired.link),
            },
            status=410,
        )
    if link_locked(link):
        return render(
            request,
            "online/link_closed.html",
            {"reason": "locked", "link": link, "firm": link.account.firm},
            status=403,
        )
    return link


def _forwarded(link: ClientLink, view: str) -> HttpResponse | None:
    """Where a newer letter issued a newer link, this one only forwards to it (303: a post
    becomes a GET of the current page, so nothing posted here is recorded)."""
    newer = newer_link(link)
    if newer is None:
        return None
    response = HttpResponseRedirect(reverse(view, args=[client_link_token(newer)]))
    response.status_code = 303  # See Other
    return response


def _missed_paragraphs(request: HttpRequest, link: ClientLink) -> list[str]:
    """What a client whose submission was missed at the expiration is told (as by e-mail),
    once they proved who they are in this browser: the closed link tells nobody else."""
    if not _is_verified(request, link):
        return []
    missed = missed_submission(account=link.account, offer=link.offer)
    return missed_words(missed) if missed is not None else []


def _offer_for_page(link: ClientLink) -> tuple[ExchangeOffer, OfferEvent | None]:
    """The offer with its terms and conditions, and its last extension or amendment: the
    same for every client, read on each request of the page, and moved only by writes to
    tables the data version watches; so from the cache while the version stands."""

    def read() -> tuple[ExchangeOffer, OfferEvent | None]:
        offer = offers_with_terms().prefetch_related("conditions").get(pk=link.offer_id)
        return offer, offer_last_change(offer)

    return cached_under_version(f"online.page-offer:{link.offer_id}", read)


def _offer_for_projection(link: ClientLink) -> ExchangeOffer:
    """The offer with its terms, for each projection the page asks for (as above)."""
    return cached_under_version(
        f"online.projection-offer:{link.offer_id}",
        lambda: offers_with_terms().get(pk=link.offer_id),
    )


def _page_context(link: ClientLink) -> dict[str, Any]:
    offer, last_change = _offer_for_page(link)
    account = link.account
    # The owners once, for the letter's addressee and the signatures alike (in their order
    # within the account: the model's own joins firm and account to sort them).
    prefetch_related_objects(
        [account], Prefetch("owners", queryset=AccountOwner.objects.order_by("sequence"))
    )
    # What the page offers, and the instruction and position it was decided from.
    page = client_page_offer(link)
    position = page.position
    letter = client_letter_context(
        offer=offer,
        account=account,
        position=position,
        event=last_change,
        now=clock.now(),
    )
    live = page.live
    projection = offer_projected_entitlement(offer=offer, principal=position)
    firm_cutoff = page.firm_cutoff  # as it stands now (links follow the offer)
    return {
        "link": link,
        "account": account,
        "firm": account.firm,
        "offer": offer,
        "owners": list(account.owners.all()),
        "position": position,
        "points": agreement.offer_points(letter),
        "tender_declaration": agreement.tender_declaration(letter),
        "withdrawal_declaration": agreement.withdrawal_declaration(letter),
        "firm_cutoff": firm_cutoff,
        "firm_cutoff_text": describe_instant(firm_cutoff),
        "expiration_text": letter["expiration_text"],
        "live": live if live is not None and live.status in OPEN else None,
        "accepted": live if live is not None and live.status not in OPEN else None,
        "awaiting": awaiting_submission(account=account, offer=offer),
        # What the form offers: a tender, a withdrawal, or both (a choice, never pre-ticked).
        "offered": page.kinds,
        "offers_tender": SubmissionKind.TENDER in page.kinds,
        "withdraw_only": withdraw_only(link),  # past the firm's cutoff
        "all_projection": projection.entitlement if position else None,
        "shown_digest": agreement.shown_digest(
            letter=letter,
            position=position,
            offered=page.kinds,
            firm_cutoff=page.firm_cutoff,
            expiration=page.expiration,
        ),
        "consummation_date": projection.consummation_date,
    }


def _initial(link: ClientLink) -> dict[str, Any]:
    account = link.account
    lines = [account.address_line1, account.address_line2]
    lines.append(f"{account.city}, {account.state} {account.postal_code}".strip(", "))
    # Neither what to do nor how much is chosen for the client: only what is on file.
    return {
        "address": "\n".join(line for line in lines if line),
        "phone": account.phone,
        "submission_token": uuid.uuid4(),
    }


# What a client typed is kept on the page shown again after the moment passed; their
# choices and consent are asked again, for what the page offers now.
_KEPT_AFTER_A_CHANGE = ("choice", "amount", "address", "phone", "submission_token")


def _initial_again(link: ClientLink, posted: Any, form: ClientInstructionForm) -> dict[str, Any]:
    initial = _initial(link)
    for name in (*_KEPT_AFTER_A_CHANGE, *(f.name for f in form.signature_fields())):
        if name in form.fields and posted.get(name, "").strip():
            initial[name] = posted[name]
    return initial


@never_cache
def client_page(request: HttpRequest, token: str) -> HttpResponse:
    """Identity check first; then the offer, the position, the projected entitlement and the
    form. Nothing here needs a login: the signed link and the check stand for it."""
    found = _link_or_page(request, token)
    if isinstance(found, HttpResponse):
        return found
    link = found
    if not _is_verified(request, link):
        return _identity(request, link)
    if forward := _forwarded(link, "client_page"):
        return forward
    context = _page_context(link)
    form_kwargs = {"owners": context["owners"], "offered": context["offered"]}
    page_changed = ""
    if request.method == "POST" and request.POST.get("step") == "submit":
        form = ClientInstructionForm(request.POST, **form_kwargs)
        try:
            # The page the client read first: if what it offered no longer stands, nothing
            # else about the post matters.
            client_page_moment_check(
                link=link,
                kind=request.POST.get("kind", ""),
                shown_digest=request.POST.get("shown", ""),
            )
            if form.is_valid():
                client_submission_create(
                    link=link,
                    data=form.online_input(
                        ip_address=client_address(request),
                        user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    ),
                )
                return redirect("client_received", token=token)
        except PageChanged as changed:
            page_changed = " ".join(changed.messages)
            form = ClientInstructionForm(
                initial=_initial_again(link, request.POST, form), **form_kwargs
            )
        except ValidationError as exc:
            refusals = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, field_messages in refusals.items():
                for message in field_messages:
                    form.add_refusal(
                        "" if field in (None, NON_FIELD_ERRORS) else str(field), message
                    )
    else:
        form = ClientInstructionForm(initial=_initial(link), **form_kwargs)
    context.update(
        form=form,
        page_changed=page_changed,
        token=token,
        projection_url=reverse("client_projection", args=[token]),
    )
    return render(request, "online/client_page.html", context)


def _identity(request: HttpRequest, link: ClientLink) -> HttpResponse:
    account = link.account
    if not account.tin_last4 or not any(ch.isdigit() for ch in account.postal_code):
        # Nothing on file to check against: the client cannot be told from anyone else.
        return render(
            request,
            "online/link_closed.html",
            {"reason": "unavailable", "link": link, "firm": account.firm},
            status=403,
        )
    form = IdentityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("step") == "identity" and form.is_valid():
        check = client_identity_check(
            link=link,
            tin_last4=form.cleaned_data["tin_last4"],
            postal_code=form.cleaned_data["postal_code"],
        )
        if check.passed:
            _mark_verified(request, link)
            return redirect(request.path)
        if check.locked:
            return render(
                request,
                "online/link_closed.html",
                {"reason": "locked", "link": link, "firm": link.account.firm},
                status=403,
            )
        form.add_error(
            None,
            "These do not match our records. "
            + (
                f"{check.tries_left} tries left before the link locks."
                if check.tries_left > 1
                else "One try left before the link locks."
            ),
        )
    return render(
        request,
        "online/identity.html",
        {"form": form, "firm": link.account.firm, "account": link.account},
    )


@never_cache
@require_GET
def client_projection(request: HttpRequest, token: str) -> JsonResponse:
    """The projected entitlement for a typed amount, by the same engine as every document."""
    found = _link_or_page(request, token)
    if isinstance(found, HttpResponse) or not _is_verified(request, found):
        return JsonResponse({"error": "This page needs the check again: reload it."}, status=403)
    link = found
    offer = _offer_for_projection(link)
    position = position_for(account=link.account, offer=offer)
    text = request.GET.get("amount", "").strip()
    try:
        # As the form reads an amount: digits only, so no NaN, infinity or exponent.
        typed = PrincipalAmountField().to_python(text)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)})
    amount = position if typed is None else typed
    # The same rule as the form's (and the representative's): a whole multiple of the unit,
    # no more than the position.
    refusals = amount_refusals(
        choice=Choice.ALL if typed is None else Choice.AMOUNT,
        amount=typed,
        position=position,
        unit=offer.unit_principal,
        actor=Actor.CLIENT,
    )
    if refusals:
        return JsonResponse({"error": refusals[0].message})
    projection = offer_projected_entitlement(offer=offer, principal=amount)
    entitlement = projection.entitlement
    if entitlement is None:
        return JsonResponse({"error": projection.error or "No figures can be projected."})
    # The rest of a partial tender: what it is paid, by the same engine (None for all).
    rest = untendered_projection(
        terms=offer_terms(offer=offer),
        position=position,
        tendered=amount,
        on=projection.consummation_date,
    )
    return JsonResponse(
        {
            "untendered": (
                {
                    "principal": dollars(rest["principal"]),
                    "payout": money(rest["payment"].payout),
                    "paid_on": long_date(rest["paid_on"]),
                }
                if rest
                else None
            ),
            "principal": dollars(entitlement.principal),
            "accrued_interest": money(entitlement.accrued_interest),
            "new_notes_principal": money(entitlement.new_notes_principal),
            "warrants": exact(entitlement.warrants),
            "participation_fee": money(entitlement.participation_fee),
            "installments": [
                {"date": long_date(fee.payment_date), "amount": money(fee.amount)}
                for fee in entitlement.fee_installments
            ],
            "consummation_date": long_date(entitlement.consummation_date),
        }
    )


@never_cache
def client_received(request: HttpRequest, token: str) -> HttpResponse:
    found = _link_or_page(request, token)
    if isinstance(found, HttpResponse):
        return found
    if not _is_verified(request, found):
        return redirect("client_page", token=token)
    if forward := _forwarded(found, "client_received"):
        return forward
    submission = awaiting_submission(account=found.account, offer=found.offer)
    firm_cutoff = link_deadlines(account=found.account, offer=found.offer).firm_cutoff
    return render(
        request,
        "online/received.html",
        {
            "submission": submission,
            "untendered": submission_untendered(submission) if submission else None,
            "firm": found.account.firm,
            "account": found.account,
            "token": token,
            "firm_cutoff_text": describe_instant(firm_cutoff),
            "expiration_text": describe_instant(found.offer.expiration),
        },
    )
