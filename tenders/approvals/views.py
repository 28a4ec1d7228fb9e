"""A supervisor's side of four eyes on the representatives' pages: approve or reject the
instruction held for them (listed on the review page, `tenders.online.views.review_queue_view`).
Views parse input, call one service and answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from exchange_office.formatting import describe_instant
from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import accounts_for_user
from tenders.accounts.views import offer_or_404
from tenders.approvals.models import ApprovalStatus, HeldInstruction
from tenders.approvals.permissions import may_supervise
from tenders.approvals.services import held_instruction_approve, held_instruction_reject


def may_decide_held(request: AuthenticatedHttpRequest, held: HeldInstruction) -> bool:
    return (
        may_supervise(user=request.user, account=held.account)
        and held.entered_by_id != request.user.pk
    )


def _held_or_none(
    request: AuthenticatedHttpRequest, pk: int
) -> tuple[ClientAccount, HeldInstruction | None]:
    account = get_object_or_404(accounts_for_user(user=request.user), pk=pk)
    held = HeldInstruction.objects.filter(
        account=account, offer=offer_or_404(), status=ApprovalStatus.AWAITING
    ).first()
    if held is None or request.POST.get("held") != str(held.pk):
        messages.info(request, f"{account.account_number}: no such instruction awaits approval.")
        return account, None
    return account, held


@login_required
@require_POST
def held_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account, held = _held_or_none(request, pk)
    if held is not None:
        try:
            instruction = held_instruction_approve(held=held, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"{account.account_number}: {refusal_text(exc)}")
        else:
            messages.success(
                request,
                f"Approved: account {account.account_number} now has instruction version "
                f"{instruction.version}, received at {describe_instant(instruction.received_at)}.",
            )
    return redirect("tenders:review_queue")


@login_required
@require_POST
def held_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account, held = _held_or_none(request, pk)
    if held is not None:
        try:
            held_instruction_reject(held=held, by=request.user, note=request.POST.get("note", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"{account.account_number}: {refusal_text(exc)}")
        else:
            messages.success(request, f"Rejected the instruction for {account.account_number}.")
    return redirect("tenders:review_queue")
