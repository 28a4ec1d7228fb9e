"""The offer's action that starts the quarterly statements run (composed into the offer's
admin by `tenders.pages.admin`): it asks for the quarter, and keeps a refusal next to its
field with what was typed."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.response import TemplateResponse

from exchange_office.http import AuthenticatedHttpRequest
from notes.models import ExchangeOffer
from tenders.statements.forms import StatementsRunForm
from tenders.statements.services import statements_run_start


class StatementsRunOfferMixin:
    statement_actions = ["send_statements"]

    @admin.action(
        description="E-mail the statements of a quarter…", permissions=["manage_bulk_runs"]
    )
    def send_statements(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[ExchangeOffer]
    ) -> Any:
        model_admin: Any = self
        if queryset.count() != 1:
            model_admin.message_user(request, "Select one offer.", messages.ERROR)
            return None
        offer = queryset.get()
        form = StatementsRunForm(request.POST if "period" in request.POST else None)
        if form.is_valid():
            period = form.cleaned_data["period"]
            try:
                run = statements_run_start(period=period, by=request.user, offer=offer)
            except ValidationError as exc:
                form.add_error("period", exc.messages)
            else:
                model_admin.message_user(
                    request,
                    f"Started {run}: {run.items.count()} statement(s) for {period}."
                    if run is not None
                    else f"Every statement for {period} has been sent: nothing to do.",
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "admin/notes/exchangeoffer/statements_run.html",
            {
                **model_admin.admin_site.each_context(request),
                "title": "E-mail the statements of a quarter",
                "offer": offer,
                "form": form,
                "opts": model_admin.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )
