"""The client's documents as PDF: the instruction receipt and the exchange confirmation.

Rendering only, no database writes: the caller stores the bytes once with their SHA-256
(conventions, "PDFs"). A template is rendered with Django (autoescaped: nothing a user typed is
ever marked safe), then laid out by WeasyPrint with a URL fetcher that serves only files under
the project's `static/` folder, from disk; anything else is refused and stops the rendering.

WeasyPrint is imported on first use, once per process (the import takes most of a second);
one `FontConfiguration` serves every document the process renders (it caches fonts: a new one
per document made a confirmation 1.8 times slower), and the stylesheet is parsed once. Pango's
font map is not thread-safe, so renders in one process take turns; run several processes for
throughput (`bench/confirmations.py` measures both).

Every figure comes from the engine (`compute_entitlement`); the templates only format them.
"""

import hashlib
import logging
import mimetypes
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string

from notes.domain.deadlines import NEW_YORK
from notes.domain.entitlement import Entitlement, compute_entitlement, minimum_condition
from notes.models import ExchangeOffer, OfferStatus, Security
from notes.selectors import offer_consummation_date, offer_terms, offers_with_terms
from tenders.models import (
    BrokerFirm,
    ClientAccount,
    Instruction,
    InstructionChoice,
    InstructionStatus,
)
from tenders.selectors import position_for
from tenders.services import firm_deadlines

logger = logging.getLogger(__name__)

HARFBUZZ_SUBSET_MISSING = (
    "libharfbuzz-subset is not installed: WeasyPrint falls back to a subsetter twice as slow: "
    "apt-get install libharfbuzz-subset0"
)


class ResourceRefused(ValueError):
    """A document asked for something other than one of the project's static files."""


class DocumentNotAvailable(ValueError):
    """The instruction is not in a state this document describes."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes = field(repr=False)
    pages: int
    sha256: str


# WeasyPrint, loaded once per process

STYLESHEET = "pdf/documents.css"  # under static/: every document's stylesheet


class _Engine:
    """WeasyPrint's entry points, the process's FontConfiguration and URL fetcher, and the
    stylesheet parsed once (again only when the file changes)."""

    def __init__(self) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

        class StaticFilesFetcher(URLFetcher):
            """Serves files under static/ from disk and refuses every other URL (WeasyPrint
            70 takes a `URLFetcher` whose `fetch` returns a `URLFetcherResponse`)."""

            def __init__(self) -> None:
                super().__init__(
                    allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True
                )

            def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
                path = static_file_for(url)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
                )

        self.html_class = weasyprint.HTML
        self.css_class = weasyprint.CSS
        self.font_config = FontConfiguration()
        self.url_fetcher = StaticFilesFetcher()
        self.fatal_fetch_error: type[BaseException] = FatalURLFetchingError
        self._stylesheet: tuple[int, Any] | None = None

    def stylesheet(self) -> Any:
        """The parsed stylesheet: parsing it for every document cost a tenth of the time."""
        path = static_dir() / STYLESHEET
        changed = path.stat().st_mtime_ns
        if self._stylesheet is None or self._stylesheet[0] != changed:
            css = self.css_class(
                url=path.resolve().as_uri(),
                url_fetcher=self.url_fetcher,
                font_config=self.font_config,
            )
            self._stylesheet = (changed, css)
        return self._stylesheet[1]


_engine: _Engine | None = None
_engine_lock = threading.Lock()
_render_lock = threading.Lock()


def _get_engine() -> _Engine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                if not harfbuzz_subset_available():
                    logger.warning(HARFBUZZ_SUBSET_MISSING)
                _engine = _Engine()
    return _engine


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint found libharfbuzz-subset (it subsets fonts twice as fast as the
    fontTools fallback); asks WeasyPrint itself, so it imports it."""
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is not None and bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))


def static_dir() -> Path:
    return Path(settings.BASE_DIR) / "static"


def static_file_for(url: str) -> Path:
    """The file under static/ that a `file:` URL names, or ResourceRefused: no network, no
    other scheme, nothing outside the folder (also through `..` or a symbolic link)."""
    shown = url if len(url) <= 200 else url[:200] + "..."
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"PDF documents load only the project's static files, not {shown}")
    root = static_dir().resolve()
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ResourceRefused(f"not a file in the project's static folder: {shown}")
    return path


def static_url_fetcher() -> Any:
    """The process's URL fetcher (a `weasyprint.urls.URLFetcher`): call it with a URL."""
    return _get_engine().url_fetcher


def render_html(html: str) -> RenderedPdf:
    """Lay out an HTML string as PDF with the documents' stylesheet (static/pdf/documents.css),
    resolving relative URLs against static/."""
    engine = _get_engine()
    base_url = static_dir().resolve().as_uri() + "/"
    with _render_lock:
        try:
            document = engine.html_class(
                string=html, base_url=base_url, url_fetcher=engine.url_fetcher
            ).render(font_config=engine.font_config, stylesheets=[engine.stylesheet()])
            content = document.write_pdf()
        except engine.fatal_fetch_error as exc:
            # WeasyPrint's fatal fetch error is a BaseException: turn it into an ordinary one.
            raise ResourceRefused(str(exc.__cause__ or exc)) from exc
    return RenderedPdf(
        content=content, pages=len(document.pages), sha256=hashlib.sha256(content).hexdigest()
    )


def _render(template: str, context: dict[str, Any], meta: dict[str, Any]) -> RenderedPdf:
    return render_html(render_to_string(template, {**context, **meta}))


def render_receipt(
    instruction: Instruction,
    *,
    document_number: str,
    generated_at: datetime,
    generated_wall_at: datetime,
) -> RenderedPdf:
    """The receipt of a received, amended or withdrawn instruction."""
    meta = _document_meta(document_number, generated_at, generated_wall_at)
    return _render("pdf/receipt.html", receipt_context(instruction), meta)


def render_confirmation(
    instruction: Instruction,
    *,
    document_number: str,
    generated_at: datetime,
    generated_wall_at: datetime,
) -> RenderedPdf:
    """The confirmation of an instruction accepted on consummation, with the actual figures."""
    meta = _document_meta(document_number, generated_at, generated_wall_at)
    return _render("pdf/confirmation.html", confirmation_context(instruction), meta)


# What the templates get: plain values, never a model (a template cannot reach the full TIN).


def _stamp(instant: datetime) -> str:
    """August 20, 2001, 10:00:00 a.m. EDT (New York time)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a document's timestamps must be aware datetimes")
    local = instant.astimezone(NEW_YORK)
    hour = local.hour % 12 or 12
    meridiem = "a.m." if local.hour < 12 else "p.m."
    return f"{local:%B} {local.day}, {local.year}, {hour}:{local:%M:%S} {meridiem} {local.tzname()}"


def _document_meta(
    document_number: str, generated_at: datetime, generated_wall_at: datetime
) -> dict[str, Any]:
    if not document_number.strip():
        raise ValueError("a document needs its number")
    return {
        "document_number": document_number.strip(),
        "generated_at_text": _stamp(generated_at),
        "generated_wall_text": _stamp(generated_wall_at),
        "generated_on": generated_at.astimezone(NEW_YORK).date(),
        # The PDF's creation date: fixed by the arguments, so the same call gives the same bytes.
        "created_iso": generated_wall_at.astimezone(NEW_YORK).isoformat(timespec="seconds"),
    }


def _cusip(value: str) -> str:
    """529529AC3 as printed: 529529 AC 3."""
    return f"{value[:6]} {value[6:8]} {value[8:]}" if len(value) == 9 else value


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _firm(firm: BrokerFirm) -> dict[str, Any]:
    return {
        "name": firm.name,
        "address_lines": _lines(firm.address),
        "phone": firm.phone.as_national if firm.phone else "",
        "email": firm.email,
        "dtc_participant_number": firm.dtc_participant_number,
    }


def _client(account: ClientAccount) -> dict[str, Any]:
    region = " ".join(part for part in (account.state, account.postal_code) if part)
    city_line = ", ".join(part for part in (account.city, region) if part)
    lines = [account.address_line1, account.address_line2, city_line]
    if account.country and account.country.code != "US":
        lines.append(account.country.name)
    return {
        "names": [owner.name for owner in account.owners.all()],
        "address_lines": [line for line in lines if line],
        "account_number": account.account_number,
    }


def _security(security: Security) -> dict[str, Any]:
    return {
        "name": security.name,
        "short_name": security.short_name,
        "cusip": _cusip(security.cusip),
    }


def _offer(offer: ExchangeOffer) -> dict[str, Any]:
    terms = offer_terms(offer=offer)
    return {
        "name": offer.name,
        "issuer": offer.issuer.name,
        "exchange_agent": offer.exchange_agent,
        "old": _security(offer.old_security),
        "new": _security(offer.new_security),
        "unit_principal": offer.unit_principal,
        "accrual_start": offer.accrual_start,
        "accrual_rate": offer.accrual_rate,
        "warrants_per_unit": offer.warrants_per_unit,
        "warrant_exercise_price": offer.warrant_exercise_price,
        "warrant_expiry": offer.warrant_expiry,
        "participation_fee_per_unit": offer.participation_fee_per_unit,
        "minimum": minimum_condition(terms),
        "conditions": [c.description for c in offer.conditions.all()],
    }


def _load(instruction: Instruction) -> tuple[Instruction, ExchangeOffer]:
    """The instruction as stored, with what the documents read."""
    stored = (
        Instruction.objects.select_related("account__firm", "supersedes")
        .prefetch_related("account__owners", "signers", "transitions")
        .get(pk=instruction.pk)
    )
    offer = offers_with_terms().prefetch_related("conditions").get(pk=stored.offer_id)
    return stored, offer


def _instruction(instruction: Instruction) -> dict[str, Any]:
    withdrawals = [
        t for t in instruction.transitions.all() if t.to_status == InstructionStatus.WITHDRAWN
    ]
    return {
        "version": instruction.version,
        "amends_version": instruction.supersedes.version if instruction.supersedes else None,
        "tenders_all": instruction.choice == InstructionChoice.ALL,
        "amount": instruction.amount,
        "resolved_amount": instruction.resolved_amount,
        "form_date": instruction.form_date,
        "received_at": instruction.received_at,
        "status": instruction.status,
        "status_label": instruction.get_status_display(),
        "withdrawn": instruction.status == InstructionStatus.WITHDRAWN,
        "withdrawn_at": withdrawals[-1].business_at if withdrawals else None,
        "masked_tin": instruction.masked_tin,
        "signed_address_lines": _lines(instruction.signed_address),
        "signers": [s.typed_name for s in instruction.signers.all()],
    }


def _fee_rows(entitlement: Entitlement) -> list[dict[str, Any]]:
    """Each installment, and whether its date was moved (on or before consummation, or off
    a banking day): the text says why a payment date differs from the scheduled one."""
    rows = []
    for fee in entitlement.fee_installments:
        on_consummation = fee.scheduled_date <= entitlement.consummation_date
        rows.append(
            {
                "sequence": fee.sequence,
                "scheduled_date": fee.scheduled_date,
                "payment_date": fee.payment_date,
                "amount": fee.amount,
                "on_consummation": on_consummation,
                "moved": not on_consummation and fee.payment_date != fee.scheduled_date,
            }
        )
    return rows


def receipt_context(instruction: Instruction) -> dict[str, Any]:
    """What the receipt template gets: the instruction as recorded, the deadlines, the offer's
    conditions and, for an instruction that tenders, the projected entitlement."""
    instruction, offer = _load(instruction)
    account = instruction.account
    deadlines = firm_deadlines(firm=account.firm, offer=offer)
    consummation_date, projected = offer_consummation_date(offer=offer)
    # The amount stated; for "tender all", what it resolved to when submitted to the agent,
    # or else the position held now.
    if instruction.choice == InstructionChoice.AMOUNT:
        principal, basis = instruction.amount, "amount"
    elif instruction.resolved_amount:
        principal, basis = instruction.resolved_amount, "resolved"
    else:
        principal, basis = position_for(account=account, offer=offer), "position"
    tenders = instruction.status not in (
        InstructionStatus.WITHDRAWN,
        InstructionStatus.SUPERSEDED,
        InstructionStatus.RETURNED,
    )
    entitlement = None
    if tenders and principal and principal > 0:
        entitlement = compute_entitlement(offer_terms(offer=offer), principal, consummation_date)
    return {
        "document_title": "Instruction receipt",
        "firm": _firm(account.firm),
        "client": _client(account),
        "offer": _offer(offer),
        "instruction": _instruction(instruction),
        "principal": principal or Decimal(0),
        "principal_basis": basis,
        "consummation_date": consummation_date,
        "accrual_through": consummation_date - timedelta(days=1),
        "projected": projected,
        "entitlement": entitlement,
        "fee_rows": _fee_rows(entitlement) if entitlement else [],
        "firm_cutoff": deadlines.firm_cutoff,
        "expiration": deadlines.expiration,
        "withdrawal_deadline": deadlines.expiration,
    }


def confirmation_context(instruction: Instruction) -> dict[str, Any]:
    """What the confirmation template gets: the actual figures on consummation."""
    instruction, offer = _load(instruction)
    if offer.status != OfferStatus.CONSUMMATED or offer.consummation_date is None:
        raise DocumentNotAvailable(
            "The offer has not been consummated: there is nothing to confirm."
        )
    if instruction.status != InstructionStatus.ACCEPTED or not instruction.resolved_amount:
        raise DocumentNotAvailable(
            f"Instruction version {instruction.version} is "
            f"{instruction.get_status_display().lower()}, not accepted on consummation."
        )
    entitlement = compute_entitlement(
        offer_terms(offer=offer), instruction.resolved_amount, offer.consummation_date
    )
    return {
        "document_title": "Exchange confirmation",
        "firm": _firm(instruction.account.firm),
        "client": _client(instruction.account),
        "offer": _offer(offer),
        "instruction": _instruction(instruction),
        "consummation_date": offer.consummation_date,
        "accrual_through": offer.consummation_date - timedelta(days=1),
        "entitlement": entitlement,
        "fee_rows": _fee_rows(entitlement),
    }
