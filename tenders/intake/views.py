"""The client instruction form as the representative fills it in: take, amend, withdraw, and the
blank form to print; and the supervisor's approval or rejection of an instruction held for
them. Views parse input, call one service and answer; the rules are in
`tenders.instructions.services` and `tenders.domain`."""

import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from exchange_office import clock
from exchange_office.encryption import decrypt, encrypt
from exchange_office.formatting import describe_instant
from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from notes.models import ExchangeOffer, OfferStatus
from notes.selectors import offer_projected_entitlement
from tenders.accounts import permissions
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import position_for
from tenders.approvals.models import HeldInstruction
from tenders.approvals.selectors import awaiting_held
from tenders.approvals.services import held_instruction_reject
from tenders.domain.lifecycle import OPEN
from tenders.domain.rules import Actor
from tenders.instructions.models import Instruction
from tenders.instructions.permissions import actor_for
from tenders.instructions.selectors import account_instructions
from tenders.instructions.services import CheckedInstruction, InstructionInput, instruction_check
from tenders.intake.forms import (
    InstructionForm,
    SignerFormSet,
    WithdrawForm,
    instruction_initial,
    instruction_input,
    signer_initial,
    withdrawal_notice_input,
)
from tenders.intake.services import (
    held_instruction_approve,
    instruction_amend,
    instruction_hold_reason,
    instruction_submit,
    instruction_withdraw,
)
from tenders.lookups import account_or_404, deadline_context, offer_or_404


def _closed(
    request: HttpRequest, account: ClientAccount, offer: ExchangeOffer, latest: Instruction | None
) -> HttpResponse:
    context = {"account": account, "offer": offer, "instruction": latest}
    return render(request, "tenders/instruction_closed.html", context)


# A TIN typed on the form is never written back into a page, not even as a hidden field of the
# review step: it waits in the session, encrypted, keyed by the account and the form's
# submission token (a token posted for another account finds nothing), until the
# instruction is confirmed or the form is edited.
_TYPED_TINS = "instructions.typed-tins"


def _keep_typed_tin(request: HttpRequest, token: str, tin: str) -> None:
    request.session[_TYPED_TINS] = {**request.session.get(_TYPED_TINS, {}), token: encrypt(tin)}


def _typed_tin(request: HttpRequest, token: str) -> str:
    kept = request.session.get(_TYPED_TINS, {}).get(token)
    return decrypt(kept) if kept else ""


def _forget_typed_tin(request: HttpRequest, token: str) -> None:
    kept = request.session.get(_TYPED_TINS, {})
    if token in kept:
        request.session[_TYPED_TINS] = {k: v for k, v in kept.items() if k != token}


def _by_field(refusal: ValidationError) -> dict[str, list[str]]:
    """A service's refusal by form field; one of the whole request goes above the form."""
    if hasattr(refusal, "error_dict"):
        return refusal.message_dict
    return {NON_FIELD_ERRORS: refusal.messages}


def _signer_field(field: str, signers: Any) -> tuple[Any, str] | None:
    """("signer-1-typed_name") -> the second owner's signer form and its field, if any."""
    match = re.fullmatch(r"signer-(\d+)-(typed_name|attested|mismatch_reason)", field)
    if match is None or int(match[1]) >= len(signers.forms):
        return None
    return signers.forms[int(match[1])], match[2]


def _may_override_cutoff(request: HttpRequest) -> bool:
    return actor_for(user=request.user) is Actor.OPERATIONS


class InstructionFormView(LoginRequiredMixin, View):
    """The client instruction form: fill in, review the projected entitlement, confirm."""

    amend = False
    # Set before any handler runs: dispatch turns anonymous users away and finds the account.
    request: AuthenticatedHttpRequest
    account: ClientAccount

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.account = account_or_404(request, kwargs["pk"])
        self.offer = offer_or_404()
        self.owners = list(self.account.owners.all())
        latest = account_instructions(account=self.account, offer=self.offer).first()
        self.current = latest if latest is not None and latest.status in OPEN else None
        if self.offer.status != OfferStatus.OPEN or (
            latest is not None and latest.is_live and self.current is None
        ):
            # Accepted on consummation, or the offer is over: nothing here can change, and the
            # new and amend pages would otherwise send the user to each other.
            return _closed(request, self.account, self.offer, latest)
        if self.amend and self.current is None:
            messages.info(request, "There is no open instruction to amend: take a new one.")
            return redirect("tenders:instruction_new", pk=self.account.pk)
        if not self.amend and latest is not None and latest.is_live:
            messages.info(request, "This account already has an instruction: amend it instead.")
            return redirect("tenders:instruction_amend", pk=self.account.pk)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        values: dict[str, Any] = {"form_date": clock.today()}
        if self.current is not None:
            values.update(
                version=self.current.version,
                choice=self.current.choice,
                amount=self.current.amount,
                address=self.current.signed_address,
                phone=self.current.signed_phone,
                tin_type=self.current.tin_type,
            )
        form = self._form(initial=instruction_initial(self.account, **values))
        signers = SignerFormSet(prefix="signers", initial=signer_initial(self.owners))
        return self._render_form(form, signers)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        form = self._form(data=request.POST)
        signers = SignerFormSet(request.POST, prefix="signers", initial=signer_initial(self.owners))
        if not (form.is_valid() and signers.is_valid()):
            return self._render_form(form, signers)
        token = f"{self.account.pk}:{form.cleaned_data['submission_token']}"
        if "_edit" in request.POST:
            _forget_typed_tin(request, token)  # the form asks for it again
            return self._render_form(form, signers)
        if form.cleaned_data.get("tin"):
            _keep_typed_tin(request, token, form.cleaned_data["tin"])
        else:
            form.cleaned_data["tin"] = _typed_tin(request, token)
        data = instruction_input(form, signers)
        try:
            if "_confirm" not in request.POST:
                checked = instruction_check(
                    account=self.account, offer=self.offer, data=data, by=request.user
                )
                return self._render_review(form, signers, checked)
            instruction = self._save(data, form.cleaned_data["version"])
        except ValidationError as exc:
            _forget_typed_tin(request, token)
            return self._render_form(form, signers, refusals=exc)
        _forget_typed_tin(request, token)
        if isinstance(instruction, HeldInstruction):
            messages.warning(
                request,
                f"Held for a supervisor of {self.account.firm.name}: "
                f"{instruction.get_reason_display().lower()}. It counts once a supervisor "
                f"approves it, as received at {describe_instant(instruction.entered_at)}.",
            )
            return redirect("tenders:account_detail", pk=self.account.pk)
        verb = "amended" if self.amend else "recorded"
        messages.success(
            request,
            f"Instruction {verb} for account {self.account.account_number} "
            f"(version {instruction.version}).",
        )
        return redirect("tenders:account_detail", pk=self.account.pk)

    def _save(self, data: InstructionInput, version: int | None) -> Instruction | HeldInstruction:
        if self.amend:
            assert self.current is not None, "dispatch redirects when there is nothing to amend"
            assert version is not None, "the form refuses an amendment without its version"
            return instruction_amend(
                instruction=self.current, expected_version=version, data=data, by=self.request.user
            )
        return instruction_submit(
            account=self.account, offer=self.offer, data=data, by=self.request.user
        )

    def _form(self, **kwargs: Any) -> InstructionForm:
        return InstructionForm(
            account=self.account,
            may_override_cutoff=_may_override_cutoff(self.request),
            amends=self.amend,
            **kwargs,
        )

    def _context(
        self, form: InstructionForm, signers: Any, position: Decimal | None = None
    ) -> dict:
        """`position`: as the review's check read it, not read again."""
        return {
            "account": self.account,
            "offer": self.offer,
            "form": form,
            "signers": signers,
            "signer_rows": list(zip(self.owners, signers.forms, strict=False)),
            "amend": self.amend,
            "current": self.current,
            "operations": _may_override_cutoff(self.request),
            "position": (
                position
                if position is not None
                else position_for(account=self.account, offer=self.offer)
            ),
            **deadline_context(self.offer, self.account.firm),
        }

    def _render_form(
        self, form: InstructionForm, signers: Any, refusals: ValidationError | None = None
    ) -> HttpResponse:
        signer_errors: list[str] = []
        if refusals is not None:
            for field, field_messages in _by_field(refusals).items():
                if (signer := _signer_field(field, signers)) is not None:
                    row, name = signer
                    for message in field_messages:
                        row.add_error(name, message)
                elif field == "signers":
                    signer_errors += field_messages
                elif field in form.fields:
                    for message in field_messages:
                        form.add_error(field, message)
                else:
                    for message in field_messages:
                        form.add_error(None, message)
        context = self._context(form, signers)
        context["signer_errors"] = signer_errors
        return render(self.request, "tenders/instruction_form.html", context)

    def _render_review(
        self, form: InstructionForm, signers: Any, checked: CheckedInstruction
    ) -> HttpResponse:
        context = self._context(form, signers, position=checked.position)
        projection = offer_projected_entitlement(offer=self.offer, principal=checked.tendered)
        context.update(
            checked=checked,
            # Four eyes: said before confirming, not only after.
            hold_reason=instruction_hold_reason(
                account=self.account, offer=self.offer, checked=checked, by=self.request.user
            ),
            threshold=self.account.firm.second_approval_threshold,
            entitlement=projection.entitlement,
            projection_error=projection.error,
            projected_consummation=projection.consummation_date,
        )
        return render(self.request, "tenders/instruction_review.html", context)


class InstructionAmendView(InstructionFormView):
    amend = True


@login_required
def instruction_withdraw_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(request, pk)
    offer = offer_or_404()
    latest = account_instructions(account=account, offer=offer).first()
    if offer.status != OfferStatus.OPEN or (
        latest is not None and latest.is_live and latest.status not in OPEN
    ):
        return _closed(request, account, offer, latest)
    if latest is None or latest.status not in OPEN:
        messages.info(request, "There is no open instruction to withdraw.")
        return redirect("tenders:account_detail", pk=account.pk)
    may_override = _may_override_cutoff(request)
    owners = list(account.owners.all())
    form = WithdrawForm(
        request.POST or None,
        initial={
            "version": latest.version,
            "received_on": clock.today(),
            "callback_number": account.phone.as_national if account.phone else "",
        },
        may_override_cutoff=may_override,
    )
    signers = SignerFormSet(request.POST or None, prefix="signers", initial=signer_initial(owners))
    if request.method == "POST" and form.is_valid() and signers.is_valid():
        try:
            instruction_withdraw(
                instruction=latest,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                notice=withdrawal_notice_input(form, signers),
                late_reason=form.cleaned_data.get("late_reason", ""),
            )
        except ValidationError as exc:
            for field, field_messages in _by_field(exc).items():
                if (signer := _signer_field(field, signers)) is not None:
                    row, name = signer
                    for message in field_messages:
                        row.add_error(name, message)
                    continue
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                f"Instruction version {latest.version} for account {account.account_number} "
                "withdrawn.",
            )
            return redirect("tenders:account_detail", pk=account.pk)
    return render(
        request,
        "tenders/instruction_withdraw.html",
        {
            "account": account,
            "offer": offer,
            "instruction": latest,
            "form": form,
            "signers": signers,
            "signer_rows": list(zip(owners, signers.forms, strict=False)),
            "operations": may_override,
            **deadline_context(offer, account.firm),
        },
    )


@login_required
def blank_instruction_form(request: HttpRequest) -> HttpResponse:
    """The seed letter's instruction form, to print for clients who answer on paper."""
    if not permissions.may_use_broker_pages(user=request.user):
        raise Http404("Not a representative of a firm.")
    offer = offer_or_404()
    account = None
    if request.GET.get("account"):
        try:
            account = account_or_404(request, int(request.GET["account"]))
        except ValueError:
            raise Http404("No such account.") from None
    firm = account.firm if account else permissions.firm_for_user(user=request.user)
    return render(
        request,
        "tenders/blank_instruction_form.html",
        {"offer": offer, "account": account, "firm": firm},
    )


# A supervisor's side of four eyes: approve or reject the instruction held for them (listed on
# the review page, with the client submissions).


def _held_or_none(
    request: AuthenticatedHttpRequest, pk: int
) -> tuple[ClientAccount, HeldInstruction | None]:
    account = account_or_404(request, pk)
    held = awaiting_held(account=account, offer=offer_or_404())
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
