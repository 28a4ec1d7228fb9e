"""The client's documents as PDF: receipts, exchange confirmations and notices.

Rendering only, no database writes: the caller stores the bytes once with their SHA-256
(`tenders.documents.services`, which takes the digest of what it stores). A template is rendered
with Django (autoescaped: nothing a user typed is ever marked safe), then laid out by WeasyPrint
with a URL fetcher that serves only files under the project's `static/` folder, from disk;
anything else is refused and stops the rendering.

WeasyPrint is imported on first use, once per process (the import takes most of a second);
one `FontConfiguration` serves every document the process renders (it caches fonts: a new one
per document made a confirmation 1.8 times slower), and the stylesheets are parsed once: ours,
and in place of WeasyPrint's user-agent stylesheet its rules for the elements our templates use
(`static/pdf/user-agent.css`; the documents come out byte for byte the same). The cyclic
garbage collector is paused while a document is laid out: WeasyPrint builds tens of thousands
of objects a document, and the collections they set off walked every object of the process
again and again, a fifth of the time. Pango's font map is not thread-safe, so renders in one
process take turns; run several processes for throughput (`bench/confirmations.py` measures
both, and what each of these is worth).

What the templates get is built in `tenders.documents.contexts`: a receipt's values are taken
once, when the instruction is received or withdrawn, and rendered from that snapshot
(`tenders.documents.snapshots`), dated at that moment, whenever the rendering happens.
"""

import gc
import logging
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string

from exchange_office.formatting import NEW_YORK, long_timestamp
from tenders.documents.contexts import confirmation_context
from tenders.documents.models import DocumentKind, DocumentSnapshot
from tenders.documents.snapshots import snapshot_context
from tenders.instructions.models import Instruction

logger = logging.getLogger(__name__)

HARFBUZZ_SUBSET_MISSING = (
    "libharfbuzz-subset is not installed: WeasyPrint falls back to a subsetter twice as slow: "
    "apt-get install libharfbuzz-subset0"
)


class ResourceRefused(ValueError):
    """A document asked for something other than one of the project's static files."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes = field(repr=False)
    pages: int


# WeasyPrint, loaded once per process

STYLESHEET = "pdf/documents.css"  # under static/: every document's stylesheet
USER_AGENT_STYLESHEET = "pdf/user-agent.css"  # under static/: in place of WeasyPrint's


class _Engine:
    """WeasyPrint's entry points, the process's FontConfiguration and URL fetcher, and the
    stylesheets parsed once (the documents' again only when the file changes)."""

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

        self.css_class = weasyprint.CSS
        self.font_config = FontConfiguration()
        self.url_fetcher = StaticFilesFetcher()
        user_agent = self.css_class(
            url=(static_dir() / USER_AGENT_STYLESHEET).resolve().as_uri(),
            url_fetcher=self.url_fetcher,
            font_config=self.font_config,
        )

        class DocumentHTML(weasyprint.HTML):
            """An HTML document styled by our user-agent stylesheet. WeasyPrint has no option
            for it: `_ua_stylesheets` is the method its own HTML class answers it with (pinned
            at WeasyPrint 70; the byte-for-byte test catches an upgrade that changes it)."""

            def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
                return [user_agent]

        self.html_class: type[Any] = DocumentHTML
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


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (unless it was off already). Whatever
    garbage the block leaves is collected by the next collection after it, once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_html(html: str) -> RenderedPdf:
    """Lay out an HTML string as PDF with the documents' stylesheet (static/pdf/documents.css),
    resolving relative URLs against static/."""
    engine = _get_engine()
    base_url = static_dir().resolve().as_uri() + "/"
    with _render_lock, collector_paused():
        try:
            document = engine.html_class(
                string=html, base_url=base_url, url_fetcher=engine.url_fetcher
            ).render(font_config=engine.font_config, stylesheets=[engine.stylesheet()])
            content = document.write_pdf()
        except engine.fatal_fetch_error as exc:
            # WeasyPrint's fatal fetch error is a BaseException: turn it into an ordinary one.
            raise ResourceRefused(str(exc.__cause__ or exc)) from exc
    return RenderedPdf(content=content, pages=len(document.pages))


def _document_meta(
    document_number: str,
    generated_at: datetime,
    generated_wall_at: datetime,
    *,
    clock_label: str = "Generated",
) -> dict[str, Any]:
    if not document_number.strip():
        raise ValueError("a document needs its number")
    return {
        "document_number": document_number.strip(),
        "clock_label": clock_label,
        "generated_at_text": long_timestamp(generated_at),
        "generated_wall_text": long_timestamp(generated_wall_at),
        "generated_on": generated_at.astimezone(NEW_YORK).date(),
        # The PDF's creation date: fixed by the arguments, so the same call gives the same bytes.
        "created_iso": generated_wall_at.astimezone(NEW_YORK).isoformat(timespec="seconds"),
        "business_iso": generated_at.astimezone(NEW_YORK).isoformat(timespec="seconds"),
    }


def _render(template: str, context: dict[str, Any], meta: dict[str, Any]) -> RenderedPdf:
    return render_html(render_to_string(template, {**context, **meta}))


# The template of each kind of document rendered from a snapshot.
SNAPSHOT_TEMPLATES = {
    DocumentKind.RECEIPT: "pdf/receipt.html",
    DocumentKind.WITHDRAWAL_RECEIPT: "pdf/receipt.html",
    DocumentKind.AMENDED_TERMS_RECEIPT: "pdf/receipt.html",
    DocumentKind.TERMINATION_NOTICE: "pdf/termination_notice.html",
    DocumentKind.PAYMENT_NOTICE: "pdf/payment_notice.html",
    DocumentKind.CLIENT_LETTER: "pdf/client_letter.html",
    DocumentKind.ONLINE_SUBMISSION: "pdf/online_submission.html",
    DocumentKind.STATEMENT: "pdf/statement.html",
    DocumentKind.PAYMENT_ADVICE: "pdf/payment_advice.html",
}


def render_snapshot(snapshot: DocumentSnapshot, *, document_number: str) -> RenderedPdf:
    """A document from its snapshot (a receipt of a received, amended or withdrawn
    instruction; a notice): the figures, terms and deadlines as they stood then, dated then
    ("As of" both clocks of the snapshot), so the same snapshot always gives the same
    document."""
    template = SNAPSHOT_TEMPLATES.get(DocumentKind(snapshot.kind))
    if template is None:
        raise ValueError(f"a {snapshot.get_kind_display().lower()} is not rendered from a snapshot")
    meta = _document_meta(
        document_number, snapshot.taken_at, snapshot.taken_wall_at, clock_label="As of"
    )
    return _render(template, snapshot_context(snapshot), meta)


render_receipt = render_snapshot  # the receipts' name for it


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
