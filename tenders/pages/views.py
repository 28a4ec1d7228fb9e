"""The pages that show several concerns at once: the home page that sends each kind of user to
their work; the representative's account list, an account (its instruction, documents, client
links, online submissions, held instructions, a recorded TIN reveal, the letter to print) and
its history; and the review queue of what awaits a second person. Views parse input, call one
service or selector of the concern concerned and answer; who may see what is each concern's
`permissions`."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from exchange_office import clock
from exchange_office.formatting import describe_instant
from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from notes.models import ExchangeOffer, OfferStatus
from notes.selectors import current_offer
from tenders.accounts import permissions
from tenders.accounts.forms import RevealTinForm
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import excluded_states, position_for
from tenders.approvals.permissions import may_decide_held
from tenders.approvals.selectors import (
    account_held,
    awaiting_held_by_account,
    held_for_supervisor,
)
from tenders.approvals.services import tin_reveal
from tenders.data_version.cache import DataVersionPaginator, cached_under_version
from tenders.documents.selectors import account_documents
from tenders.domain.lifecycle import LIVE, OPEN
from tenders.instructions.audit import account_audit_trail
from tenders.instructions.models import Instruction
from tenders.instructions.selectors import (
    ANSWER_LABELS,
    AnswerFilter,
    account_instructions,
    account_keys,
    page_with_list_columns,
)
from tenders.ledger.selectors import client_holdings
from tenders.letters.selectors import account_contacts
from tenders.links.selectors import account_links
from tenders.lookups import account_or_404, deadline_context, offer_or_404
from tenders.online.letters import client_letter_issue
from tenders.online.models import ClientSubmission, ReviewStatus, SubmissionKind
from tenders.online.selectors import (
    account_submissions,
    awaiting_submission,
    review_queue,
)
from tenders.online.services import (
    client_links_unlock,
    client_submission_approve,
    client_submission_reject,
)
from tenders.pages.forms import RejectForm
from tenders.statements.selectors import statement_periods
from tenders.statements.services import statement_issue
from tenders.submissions.selectors import agent_standings_of

PAGE_SIZE = 25


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
    # A newer version held for a supervisor, beside the version that still counts.
    held = awaiting_held_by_account(user=request.user, offer=offer)

    def rows() -> str:
        keys = account_keys(user=request.user, offer=offer, search=search, answer=answer)
        page = DataVersionPaginator(keys.values_list("pk", flat=True), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        page.object_list = page_with_list_columns(keys, list(page.object_list), offer=offer)
        # The live instructions' standing with the agent: two queries for the page.
        standings = agent_standings_of(
            offer=offer,
            instruction_ids=[
                a.instruction_id  # type: ignore[attr-defined]  # an annotation
                for a in page.object_list
                if a.instruction_status in LIVE  # type: ignore[attr-defined]  # an annotation
            ],
        )
        for account in page.object_list:
            account.held_awaiting = held.get(account.pk)  # type: ignore[attr-defined]  # a row's column
            account.agent_standing = standings.get(account.instruction_id)  # type: ignore[attr-defined]  # a row's column
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
    # query. Who may see which firm is decided here, before the cache. The held instructions
    # are not watched: the key names those awaiting (a decision on one changes it).
    scope = firm.pk if firm is not None else "all-firms"
    params = "&".join(sorted(request.GET.urlencode().split("&")))
    awaiting = ".".join(str(h.pk) for h in held.values())
    key = f"account-rows:{offer.pk}:{scope}:{params}:held={awaiting}"
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
    # Once the offer is consummated, terminated or expired, nothing is taken or changed here.
    offer_takes = offer.status == OfferStatus.OPEN and clock.now() < offer.expiration
    submissions = list(account_submissions(account=account, offer=offer))
    return {
        "account": account,
        "offer": offer,
        "position": position_for(account=account, offer=offer),
        # What the books give the account besides its Old Notes: New Notes, warrants, cash.
        "holdings": [
            holding
            for holding in client_holdings(account=account, on=clock.today())
            if holding.code != offer.old_security.cusip
        ],
        "instruction": latest,
        "offer_takes": offer_takes,
        "is_open": offer_takes and latest is not None and latest.status in OPEN,
        # Where the instruction that counts stands with the exchange agent.
        "agent_standing": (
            # The offer at hand: the instruction's own would be read again.
            agent_standings_of(offer=offer, instruction_ids=[latest.pk])[latest.pk]
            if latest is not None and latest.status in LIVE
            else None
        ),
        "may_take": offer_takes and (latest is None or not latest.is_live),
        "may_reveal": permissions.may_reveal_tin(user=request.user),
        "documents": account_documents(account=account, offer=offer),
        "reveal_form": RevealTinForm(),
        "client_links": account_links(account=account, offer=offer),
        "online_submissions": submissions,
        # A client's own answer, waiting for the representative: the page must not say the
        # client has not answered.
        "awaiting_online": next(
            (s for s in submissions if s.status == ReviewStatus.AWAITING), None
        ),
        "held": account_held(account=account, offer=offer),
        "statement_periods": statement_periods(account=account, until=clock.today()),
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
            reveal = tin_reveal(
                account=account, offer=offer, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages[0])
        else:
            revealed = reveal.tin
            if reveal.requested is not None:
                messages.info(
                    request,
                    "Requested: a full taxpayer ID is shown once another person who may reveal "
                    "it approves your request (Admin > Proposals). Then ask again here, today.",
                )
    context = _account_context(request, account, offer, reveal_form=form, revealed_tin=revealed)
    response = render(request, "tenders/account_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


# The review queue: client submissions and held instructions


@login_required
def review_queue_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What awaits a second person: client submissions (any representative of the firm), and
    instructions held for a supervisor (a supervisor of the firm, not the one who entered)."""
    if not permissions.may_use_broker_pages(user=request.user):
        raise Http404("Not a representative of a firm.")
    offer = offer_or_404()
    held = held_for_supervisor(user=request.user, offer=offer)
    return render(
        request,
        "tenders/review_queue.html",
        {
            "items": review_queue(user=request.user, offer=offer),
            # Each held instruction, and whether this user may decide on it.
            "held": [(h, may_decide_held(user=request.user, held=h)) for h in held],
            "offer": offer,
            "reject_form": RejectForm(),
            "business_now": clock.now(),
        },
    )


def _awaiting_or_none(
    request: AuthenticatedHttpRequest, pk: int
) -> tuple[ClientAccount, ClientSubmission | None]:
    """The account (only the user's own: another firm's answers 404) and its submission
    awaiting review, if it is still the one the user looked at (`submission` posted): a client
    who submitted again replaced it, and the new one must be read before it is approved."""
    account = account_or_404(request, pk)
    offer = offer_or_404()
    awaiting = awaiting_submission(account=account, offer=offer)
    if awaiting is None:
        messages.info(request, f"{account.account_number}: no client submission awaits review.")
        return account, None
    if request.POST.get("submission") != str(awaiting.pk):
        messages.warning(
            request,
            f"{account.account_number}: the client submitted again at "
            f"{describe_instant(awaiting.submitted_at)}; review what they submitted now.",
        )
        return account, None
    return account, awaiting


def _approved_message(
    account: ClientAccount, submission: ClientSubmission, instruction: Instruction
) -> str:
    if submission.kind == SubmissionKind.WITHDRAWAL:
        # The withdrawal's own time: the instruction withdrawn keeps the time it was received.
        return (
            f"Approved: account {account.account_number}'s instruction version "
            f"{instruction.version} is withdrawn, the withdrawal received online at "
            f"{describe_instant(submission.submitted_at)}."
        )
    return (
        f"Approved: account {account.account_number} now has instruction "
        f"version {instruction.version}, received online at "
        f"{describe_instant(instruction.received_at)}."
    )


@login_required
@require_POST
def submission_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account, submission = _awaiting_or_none(request, pk)
    if submission is None:
        return redirect("tenders:review_queue")
    try:
        instruction = client_submission_approve(submission=submission, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"{account.account_number}: {refusal_text(exc)}")
    else:
        messages.success(request, _approved_message(account, submission, instruction))
    return redirect("tenders:review_queue")


@login_required
@require_POST
def submission_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account, submission = _awaiting_or_none(request, pk)
    if submission is None:
        return redirect("tenders:review_queue")
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            f"{account.account_number}: give the reason for rejecting; the client is told it.",
        )
        return redirect("tenders:review_queue")
    try:
        client_submission_reject(
            submission=submission, by=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"{account.account_number}: {refusal_text(exc)}")
    else:
        messages.success(
            request,
            f"Rejected the submission for account {account.account_number}; the client was "
            "told why by e-mail.",
        )
    return redirect("tenders:review_queue")


# The account page's actions on the client's side


@login_required
@require_POST
def link_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Unlock the account's links locked by wrong answers (counted across its links), once the
    representative spoke with the client."""
    account = account_or_404(request, pk)
    locked = client_links_unlock(account=account, by=request.user)
    if locked:
        messages.success(request, "The client's link is unlocked: they can try again.")
    else:
        messages.info(request, "The client's link is not locked.")
    return redirect("tenders:account_detail", pk=account.pk)


@login_required
@require_POST
def client_letter_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Issue the account's letter for the offer as it stands (or find it issued), then
    download it: the stored bytes, like any document."""
    account = account_or_404(request, pk)
    offer = current_offer()
    if offer is None:
        raise PermissionDenied("There is no exchange offer.")
    try:
        document = client_letter_issue(offer=offer, account=account, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tenders:account_detail", pk=account.pk)
    return redirect("tenders:document_download", pk=document.pk)


@login_required
@require_POST
def account_statement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Issue the account's statement for the quarter posted (`period`, as 2001Q4), or find it
    issued, then download it: the stored bytes, like any document. Issuing sends nothing:
    the quarterly run does."""
    account = account_or_404(request, pk)
    try:
        document = statement_issue(
            account=account, period=request.POST.get("period", ""), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tenders:account_detail", pk=account.pk)
    return redirect("tenders:document_download", pk=document.pk)
