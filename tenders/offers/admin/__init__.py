"""The offer's admin, registered here once: the issuer's side (`notes.admin`) defines it, and
the broker's side adds its actions (`notes` does not know about `tenders`): the lifecycle
(extend, amend, conditions, terminate), consummation with the tabulation on its confirm page,
the tabulation's pages, the trial balance, the agent's movements matched after consummation,
and the exchange confirmations' bulk run. Each action calls one
service (`offer_decision` where a second operator may be needed) and shows its result;
refusals come back as messages or onto the form. Admin > Proposals is in `proposals`."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from notes import admin as notes_admin
from notes.models import ExchangeOffer, Security
from notes.permissions import may_run_offer
from notes.selectors import offer_consummation_date
from tenders.approvals.models import Proposal, ProposalKind
from tenders.bulk_runs.permissions import may_manage_bulk_runs
from tenders.offers.admin.books import OfferBooksViews
from tenders.offers.admin.lifecycle import OfferLifecycleActions, proposed_message
from tenders.offers.admin.movements import OfferMovementViews
from tenders.offers.admin.proposals import ProposalAdmin
from tenders.offers.admin.tabulation import OfferTabulationViews
from tenders.offers.consummation import confirmations_issue
from tenders.offers.decisions import offer_decision
from tenders.offers.forms import ConsummateForm
from tenders.offers.selectors import offer_terms_locked, security_terms_locked, tabulate


class OfferAdmin(
    OfferBooksViews,
    OfferTabulationViews,
    OfferMovementViews,
    OfferLifecycleActions,
    notes_admin.ExchangeOfferAdmin,
):
    actions = [*OfferLifecycleActions.lifecycle_actions, "consummate", "issue_confirmations"]

    def terms_locked(self, offer: ExchangeOffer) -> bool:
        return offer_terms_locked(offer=offer)

    def has_run_offer_permission(self, request: HttpRequest) -> bool:
        return may_run_offer(user=request.user)

    def has_manage_bulk_runs_permission(self, request: HttpRequest) -> bool:
        return may_manage_bulk_runs(user=request.user)

    @admin.action(description="Consummate the offer…", permissions=["run_offer"])
    def consummate(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[ExchangeOffer]
    ) -> Any:
        if queryset.count() != 1:
            self.message_user(request, "Consummate one offer at a time.", messages.ERROR)
            return None
        offer = queryset.get()
        form = ConsummateForm(
            request.POST if "consummation_date" in request.POST else None,
            initial={"consummation_date": offer_consummation_date(offer=offer)[0]},
        )
        if form.is_valid():
            on = form.cleaned_data["consummation_date"]
            try:
                done = offer_decision(
                    kind=ProposalKind.CONSUMMATE, offer=offer, params={"on": on}, by=request.user
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    proposed_message(done) if isinstance(done, Proposal) else done,
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "admin/notes/exchangeoffer/consummate.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Consummate {offer}",
                "offer": offer,
                "form": form,
                "tabulation": tabulate(offer=offer),
                "conditions": offer.conditions.all(),
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description="Issue exchange confirmations for all accepted instructions",
        permissions=["manage_bulk_runs"],
    )
    def issue_confirmations(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[ExchangeOffer]
    ) -> None:
        for offer in queryset:
            try:
                run = confirmations_issue(offer=offer, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, refusal_text(exc), messages.ERROR)
            else:
                self.message_user(request, f"Started {run}.", messages.SUCCESS)


class SecurityAdmin(notes_admin.SecurityAdmin):
    def terms_locked(self, security: Security) -> bool:
        return security_terms_locked(security_id=security.pk)


# The issuer's side defines these admins and leaves their registration to the broker's side:
# the offer's is registered by `tenders.pages.admin`, which adds the clients' online answers.
admin.site.register(Security, SecurityAdmin)

__all__ = ["OfferAdmin", "ProposalAdmin", "SecurityAdmin"]
