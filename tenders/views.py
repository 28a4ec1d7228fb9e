"""The representative's pages. Views parse input, call one service and answer; the rules are
in tenders.services and tenders.domain."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.http import require_POST

from exchange_office import clock
from notes.domain.deadlines import expected_consummation_date
from notes.domain.entitlement import InvalidConsummationDate, compute_entitlement
from notes.domain.terms import InvalidTerms
from notes.models import ExchangeOffer
from notes.selectors import offer_calendar, offer_terms
from tenders import audit
from tenders.documents import LinkExpired, document_from_link
from tenders.domain.lifecycle import OPEN
from tenders.domain.rules import Actor
from tenders.forms import (
    InstructionForm,
    RevealTinForm,
    SignerFormSet,
    WithdrawForm,
    instruction_initial,
    instruction_input,
    signer_initial,
)
from tenders.models import BrokerFirm, ClientAccount, Document, Instruction
from tenders.selectors import (
    ANSWER_LABELS,
    AnswerFilter,
    account_documents,
    account_instructions,
    account_rows,
    accounts_for_user,
    current_offer,
    firm_for_user,
    position_for,
    sees_all_firms,
)
from tenders.services import (
    CheckedInstruction,
    account_reveal_tin,
    actor_for,
    firm_deadlines,
    instruction_amend,
    instruction_check,
    instruction_submit,
    instruction_withdraw,
)

PAGE_SIZE = 25


def _offer_or_404() -> ExchangeOffer:
    offer = current_offer()
    if offer is None:
        raise Http404("There is no exchange offer yet.")
    return offer


def _account_or_404(request: HttpRequest, pk: int) -> ClientAccount:
    """Only the accounts the user may see exist: another firm's id answers 404."""
    return get_object_or_404(accounts_for_user(user=request.user), pk=pk)


def _may_override_cutoff(request: HttpRequest) -> bool:
    return actor_for(user=request.user) is Actor.OPERATIONS


def _deadline_context(offer: ExchangeOffer, firm: BrokerFirm | None) -> dict:
    """The firm's cutoff (operations looking at every firm have none) and the expiration."""
    return {
        "deadlines": firm_deadlines(firm=firm, offer=offer) if firm is not None else None,
        "expiration": offer.expiration,
        "business_now": clock.now(),
        "clock_pinned": clock.is_pinned(),
    }


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    firm = firm_for_user(user=request.user)
    if firm is None and not sees_all_firms(user=request.user):
        raise Http404("Not a representative of a firm.")
    offer = current_offer()
    if offer is None:
        return render(request, "tenders/no_offer.html", {"firm": firm})
    search = request.GET.get("q", "")
    try:
        answer = AnswerFilter(request.GET.get("answer", "")) if request.GET.get("answer") else None
    except ValueError:
        answer = None
    rows = account_rows(user=request.user, offer=offer, search=search, answer=answer)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"q": search, "answer": answer or ""}.items() if v}
    return render(
        request,
        "tenders/account_list.html",
        {
            "firm": firm,
            "offer": offer,
            "page": page,
            "search": search,
            "answer": answer,
            "answer_labels": ANSWER_LABELS,
            "query_string": urlencode(query),
            "excluded_states": set(offer.excluded_jurisdictions.values_list("state", flat=True)),
            **_deadline_context(offer, firm),
        },
    )


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    offer = _offer_or_404()
    return render(request, "tenders/account_detail.html", _account_context(request, account, offer))


def _account_context(
    request: HttpRequest, account: ClientAccount, offer: ExchangeOffer, **extra: Any
) -> dict:
    instructions = list(account_instructions(account=account, offer=offer))
    latest = instructions[0] if instructions else None
    return {
        "account": account,
        "offer": offer,
        "position": position_for(account=account, offer=offer),
        "instruction": latest,
        "is_open": latest is not None and latest.status in OPEN,
        "may_reveal": request.user.has_perm("tenders.reveal_tin"),
        "documents": account_documents(account=account, offer=offer),
        "reveal_form": RevealTinForm(),
        **_deadline_context(offer, account.firm),
        **extra,
    }


class InstructionFormView(LoginRequiredMixin, View):
    """The client instruction form: fill in, review the projected entitlement, confirm."""

    amend = False

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.account: ClientAccount | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.account = _account_or_404(request, kwargs["pk"])
        self.offer = _offer_or_404()
        self.owners = list(self.account.owners.all())
        latest = account_instructions(account=self.account, offer=self.offer).first()
        self.current = latest if latest is not None and latest.status in OPEN else None
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
                choice=self.current.choice,
                amount=self.current.amount,
                address=self.current.signed_address,
                phone=self.current.signed_phone,
                tin_type=self.current.tin_type,
            )
        form = self._form(initial=instruction_initial(self.account, **values))
        signers = SignerFormSet(prefix="signers", initial=signer_initial(self.owners))
        return self._render_form(form, signers)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(data=request.POST)
        signers = SignerFormSet(request.POST, prefix="signers", initial=signer_initial(self.owners))
        if not (form.is_valid() and signers.is_valid()):
            return self._render_form(form, signers)
        if "_edit" in request.POST:
            return self._render_form(form, signers)
        data = instruction_input(form, signers)
        try:
            if "_confirm" not in request.POST:
                checked = instruction_check(
                    account=self.account, offer=self.offer, data=data, by=request.user
                )
                return self._render_review(form, signers, checked)
            instruction = self._save(data, request.POST.get("version"))
        except ValidationError as exc:
            return self._render_form(form, signers, refusals=exc)
        verb = "amended" if self.amend else "recorded"
        messages.success(
            request,
            f"Instruction {verb} for account {self.account.account_number} "
            f"(version {instruction.version}).",
        )
        return redirect("tenders:account_detail", pk=self.account.pk)

    def _save(self, data: Any, version: str | None) -> Instruction:
        if self.amend:
            try:
                expected = int(version or "")
            except ValueError:
                raise ValidationError("The form is missing the version it amends.") from None
            return instruction_amend(
                instruction=self.current, expected_version=expected, data=data, by=self.request.user
            )
        return instruction_submit(
            account=self.account, offer=self.offer, data=data, by=self.request.user
        )

    def _form(self, **kwargs: Any) -> InstructionForm:
        return InstructionForm(
            account=self.account,
            may_override_cutoff=_may_override_cutoff(self.request),
            **kwargs,
        )

    def _context(self, form: InstructionForm, signers: Any) -> dict:
        return {
            "account": self.account,
            "offer": self.offer,
            "form": form,
            "signers": signers,
            "signer_rows": list(zip(self.owners, signers.forms, strict=False)),
            "amend": self.amend,
            "current": self.current,
            "position": position_for(account=self.account, offer=self.offer),
            **_deadline_context(self.offer, self.account.firm),
        }

    def _render_form(
        self, form: InstructionForm, signers: Any, refusals: ValidationError | None = None
    ) -> HttpResponse:
        signer_errors: list[str] = []
        if refusals is not None:
            for field, field_messages in refusals.message_dict.items():
                if field == "signers":
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
        context = self._context(form, signers)
        context.update(checked=checked, **projected_entitlement(self.offer, checked.tendered))
        return render(self.request, "tenders/instruction_review.html", context)


def projected_entitlement(offer: ExchangeOffer, principal: Any) -> dict[str, Any]:
    """The engine's figures for `principal`, assuming consummation on the first banking day
    after the expiration day."""
    consummation = expected_consummation_date(offer.expiration, offer_calendar(offer=offer))
    try:
        entitlement = compute_entitlement(offer_terms(offer=offer), principal, consummation)
    except (InvalidTerms, InvalidConsummationDate, ValueError) as exc:
        return {"projection_error": str(exc), "projected_consummation": consummation}
    return {"entitlement": entitlement, "projected_consummation": consummation}


class InstructionAmendView(InstructionFormView):
    amend = True


@login_required
def instruction_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    offer = _offer_or_404()
    latest = account_instructions(account=account, offer=offer).first()
    if latest is None or latest.status not in OPEN:
        messages.info(request, "There is no open instruction to withdraw.")
        return redirect("tenders:account_detail", pk=account.pk)
    may_override = _may_override_cutoff(request)
    form = WithdrawForm(
        request.POST or None, initial={"version": latest.version}, may_override_cutoff=may_override
    )
    if request.method == "POST" and form.is_valid():
        try:
            instruction_withdraw(
                instruction=latest,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                late_reason=form.cleaned_data.get("late_reason", ""),
            )
        except ValidationError as exc:
            for field, field_messages in exc.message_dict.items():
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
            **_deadline_context(offer, account.firm),
        },
    )


@login_required
def account_history(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    offer = _offer_or_404()
    return render(
        request,
        "tenders/account_history.html",
        {
            "account": account,
            "offer": offer,
            "instructions": account_instructions(account=account, offer=offer),
            "audit_entries": audit.account_audit_trail(account=account),
        },
    )


@login_required
@require_POST
def account_reveal_tin_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    offer = _offer_or_404()
    form = RevealTinForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = account_reveal_tin(
                account=account, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages[0])
    context = _account_context(request, account, offer, reveal_form=form, revealed_tin=revealed)
    response = render(request, "tenders/account_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def blank_instruction_form(request: HttpRequest) -> HttpResponse:
    """The seed letter's instruction form, to print for clients who answer on paper."""
    if firm_for_user(user=request.user) is None and not sees_all_firms(user=request.user):
        raise Http404("Not a representative of a firm.")
    offer = _offer_or_404()
    account = None
    if request.GET.get("account"):
        try:
            account = _account_or_404(request, int(request.GET["account"]))
        except ValueError:
            raise Http404("No such account.") from None
    firm = account.firm if account else firm_for_user(user=request.user)
    return render(
        request,
        "tenders/blank_instruction_form.html",
        {"offer": offer, "account": account, "firm": firm},
    )


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
    visible = Document.objects.filter(instruction__account__in=accounts_for_user(user=request.user))
    return _pdf_response(get_object_or_404(visible, pk=pk))


def document_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link e-mailed to the client: no login, valid for a limited time."""
    try:
        document = document_from_link(token)
    except LinkExpired:
        return render(request, "tenders/link_expired.html", status=410)
    except Document.DoesNotExist:
        raise Http404("No such document.") from None
    return _pdf_response(document, inline=True)
