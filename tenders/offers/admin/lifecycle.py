"""The offer's lifecycle actions in the admin: extend, amend the terms, clear a condition,
terminate. Each is an action on the offer list with a page of its own (like consummation):
it shows where the offer stands, takes the reason, calls one service, and puts a refusal back
onto its form."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from exchange_office import clock
from exchange_office.formatting import NEW_YORK, describe_instant, dollars, short_date
from exchange_office.http import AuthenticatedHttpRequest
from notes.models import ExchangeOffer
from tenders.approvals.models import Proposal, ProposalKind
from tenders.offers.decisions import offer_decision
from tenders.offers.forms import (
    AmendTermsForm,
    ConditionMetForm,
    ConditionWaivedForm,
    ExtendForm,
    TerminateForm,
)
from tenders.offers.lifecycle import (
    extension_announcement,
    extension_deadline,
    offer_condition_meet,
    offer_condition_waive,
)
from tenders.offers.selectors import open_instructions, tabulate

TEMPLATE = "admin/notes/exchangeoffer/lifecycle_action.html"


def _put_back(form: forms.BaseForm, refusal: ValidationError) -> None:
    """A service's refusal onto the form: next to its field, or above the form."""
    if hasattr(refusal, "error_dict"):
        by_field = refusal.message_dict
    else:
        by_field = {NON_FIELD_ERRORS: refusal.messages}
    for field, field_messages in by_field.items():
        form.add_error(field if field in form.fields else None, field_messages)


def proposed_message(proposal: Proposal) -> str:
    return (
        f"Proposed: {proposal.summary} Another operator approves it in Admin > Proposals "
        f"before {describe_instant(proposal.expires_at)}; nothing has changed yet."
    )


class OfferLifecycleActions:
    """Mixed into the offer's ModelAdmin (tenders.offers.admin.OfferAdmin). Where a
    decision needs a second person (FOUR_EYES_OFFER_ACTIONS), the action proposes it."""

    lifecycle_actions = ["extend", "amend_terms", "clear_conditions", "terminate"]

    # Helpers

    def _one_offer(
        self, request: HttpRequest, queryset: QuerySet[ExchangeOffer]
    ) -> ExchangeOffer | None:
        if queryset.count() != 1:
            self.message_user(request, "Select one offer for this action.", messages.ERROR)  # type: ignore[attr-defined]  # mixed into a ModelAdmin
            return None
        return queryset.get()

    def _page(
        self,
        request: HttpRequest,
        offer: ExchangeOffer,
        *,
        action: str,
        title: str,
        intro: str,
        forms_and_buttons: Sequence[tuple[forms.BaseForm, str, str]],
        facts: Sequence[tuple[str, str]] = (),
    ) -> HttpResponse:
        """The action's page: where the offer stands, then each form with its button."""
        return TemplateResponse(
            request,
            TEMPLATE,
            {
                **self.admin_site.each_context(request),  # type: ignore[attr-defined]  # mixed into a ModelAdmin
                "title": f"{title}: {offer}",
                "offer": offer,
                "intro": intro,
                "facts": facts,
                "forms": forms_and_buttons,
                "action": action,
                "opts": ExchangeOffer._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    def _facts(self, offer: ExchangeOffer) -> list[tuple[str, str]]:
        tabulation = tabulate(offer=offer)
        return [
            ("Status", offer.get_status_display()),
            ("Expires", describe_instant(offer.expiration)),
            ("Business time now", describe_instant(clock.now())),
            (
                "Tendered",
                f"{dollars(tabulation.tendered)} ({tabulation.percent}%) by "
                f"{len(tabulation.lines)} live instruction(s); "
                f"{dollars(tabulation.required)} required",
            ),
        ]

    # Actions

    @admin.action(description="Extend the offer…", permissions=["run_offer"])
    def extend(self, request: AuthenticatedHttpRequest, queryset: QuerySet[ExchangeOffer]) -> Any:
        offer = self._one_offer(request, queryset)
        if offer is None:
            return None
        form = ExtendForm(
            request.POST if "_extend" in request.POST else None,
            initial={"announcement": extension_announcement(offer=offer)},
        )
        if form.is_valid():
            try:
                done = offer_decision(
                    kind=ProposalKind.EXTEND,
                    offer=offer,
                    params={
                        "new_expiration": form.cleaned_data["new_expiration"],
                        "reason": form.cleaned_data["reason"],
                        "announcement": form.cleaned_data["announcement"],
                    },
                    by=request.user,
                )
            except ValidationError as exc:
                _put_back(form, exc)
            else:
                self.message_user(  # type: ignore[attr-defined]  # mixed into a ModelAdmin
                    request,
                    proposed_message(done)
                    if isinstance(done, Proposal)
                    else f"Extended to {describe_instant(form.cleaned_data['new_expiration'])}. "
                    "Clients with live instructions are being told.",
                    messages.SUCCESS,
                )
                return None
        facts = [
            *self._facts(offer),
            ("Extension to be announced by", describe_instant(extension_deadline(offer=offer))),
        ]
        return self._page(
            request,
            offer,
            action="extend",
            title="Extend",
            intro="The offer, withdrawal rights included, stays open until the new expiration; "
            "every firm's cutoff, the projected consummation and the projected figures move "
            "with it. Clients with live instructions get an e-mail with the new dates; their "
            "instructions stay live.",
            facts=facts,
            forms_and_buttons=[(form, "_extend", "Extend the offer")],
        )

    @admin.action(description="Amend the terms…", permissions=["run_offer"])
    def amend_terms(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[ExchangeOffer]
    ) -> Any:
        offer = self._one_offer(request, queryset)
        if offer is None:
            return None
        bound = "_amend" in request.POST
        # The form edits a copy: the offer itself changes only through the service.
        form = AmendTermsForm(
            request.POST if bound else None, instance=ExchangeOffer.objects.get(pk=offer.pk)
        )
        if bound and form.is_valid():
            names = list(form.Meta.fields)
            try:
                done = offer_decision(
                    kind=ProposalKind.AMEND_TERMS,
                    offer=offer,
                    params={
                        "changes": {name: form.cleaned_data[name] for name in names},
                        "reason": form.cleaned_data["reason"],
                        "extend_to": form.cleaned_data["extend_to"],
                        "announcement": form.cleaned_data["announcement"],
                    },
                    by=request.user,
                )
            except ValidationError as exc:
                needed = [
                    e.params["earliest"]
                    for e in exc.error_dict.get(NON_FIELD_ERRORS, [])
                    if e.code == "needs_extension" and e.params
                ] if hasattr(exc, "error_dict") else []  # fmt: skip
                if needed:
                    # Offer the smallest extension that allows the change.
                    data = request.POST.copy()
                    local = needed[0].astimezone(NEW_YORK)
                    data["extend_to_0"] = local.date().isoformat()
                    data["extend_to_1"] = f"{local.hour:02d}:{local.minute:02d}"
                    data["announcement"] = extension_announcement(offer=offer)
                    form = AmendTermsForm(data, instance=ExchangeOffer.objects.get(pk=offer.pk))
                    form.is_valid()
                    form.add_error(
                        None,
                        f"Press “Amend the terms” again to extend the offer to "
                        f"{describe_instant(local)} with the change.",
                    )
                _put_back(form, exc)
            else:
                self.message_user(  # type: ignore[attr-defined]  # mixed into a ModelAdmin
                    request,
                    proposed_message(done)
                    if isinstance(done, Proposal)
                    else "Terms amended. Clients with live instructions are getting a receipt "
                    "with the new projection; their earlier receipts stay.",
                    messages.SUCCESS,
                )
                return None
        return self._page(
            request,
            offer,
            action="amend_terms",
            title="Amend the terms",
            intro="Rule 14e-1(b): a change of the consideration keeps the offer open at least "
            "10 business days from today, counting today; lowering or raising the minimum, 5. "
            "A change the current expiration does not allow is refused with the earliest "
            "expiration that does.",
            facts=self._facts(offer),
            forms_and_buttons=[(form, "_amend", "Amend the terms")],
        )

    @admin.action(description="Mark conditions met or waived…", permissions=["run_offer"])
    def clear_conditions(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[ExchangeOffer]
    ) -> Any:
        offer = self._one_offer(request, queryset)
        if offer is None:
            return None
        met = ConditionMetForm(
            request.POST if "_met" in request.POST else None,
            offer=offer,
            initial={"on": clock.today()},
        )
        waived = ConditionWaivedForm(
            request.POST if "_waived" in request.POST else None, offer=offer
        )
        form = met if met.is_bound else waived if waived.is_bound else None
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                if form is met:
                    offer_condition_meet(
                        condition=data["condition"],
                        on=data["on"],
                        note=data["note"],
                        by=request.user,
                    )
                else:
                    offer_condition_waive(
                        condition=data["condition"], reason=data["reason"], by=request.user
                    )
            except ValidationError as exc:
                _put_back(form, exc)
            else:
                verb = "met" if form is met else "waived"
                self.message_user(  # type: ignore[attr-defined]  # mixed into a ModelAdmin
                    request, f"Condition {verb}: {data['condition']}.", messages.SUCCESS
                )
                return None
        conditions = [
            (
                c.description,
                f"met on {short_date(c.satisfied_on)}" if c.is_satisfied and c.satisfied_on
                else "met" if c.is_satisfied
                else f"waived: {c.waiver_reason}" if c.is_waived
                else "pending",
            )
            for c in offer.conditions.all()
        ]  # fmt: skip
        return self._page(
            request,
            offer,
            action="clear_conditions",
            title="Conditions",
            intro="The offer is consummated only when the minimum condition (judged from the "
            "tabulation) and every condition below are met or waived.",
            facts=[*self._facts(offer), *conditions],
            forms_and_buttons=[(met, "_met", "Mark met"), (waived, "_waived", "Waive")],
        )

    @admin.action(description="Terminate the offer…", permissions=["run_offer"])
    def terminate(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[ExchangeOffer]
    ) -> Any:
        offer = self._one_offer(request, queryset)
        if offer is None:
            return None
        form = TerminateForm(request.POST if "_terminate" in request.POST else None)
        if form.is_valid():
            try:
                done = offer_decision(
                    kind=ProposalKind.TERMINATE,
                    offer=offer,
                    params={"reason": form.cleaned_data["reason"]},
                    by=request.user,
                )
            except ValidationError as exc:
                _put_back(form, exc)
            else:
                self.message_user(  # type: ignore[attr-defined]  # mixed into a ModelAdmin
                    request,
                    proposed_message(done)
                    if isinstance(done, Proposal)
                    else f"{done.rstrip('.')}; the clients are getting their notices.",
                    messages.SUCCESS,
                )
                return None
        live = open_instructions(offer=offer).count()
        return self._page(
            request,
            offer,
            action="terminate",
            title="Terminate",
            intro=f"{live} live instruction(s) will be returned: the Old Notes stay in the "
            "clients' accounts and nothing is exchanged. Each of those clients gets a "
            "termination notice (PDF and e-mail).",
            facts=self._facts(offer),
            forms_and_buttons=[(form, "_terminate", "Terminate the offer")],
        )
