"""Start-up checks (`manage.py check`, runserver, the workers) for what the PDFs need from the
system, without importing WeasyPrint (which costs half a second)."""

from ctypes.util import find_library
from typing import Any

from django.core import checks


@checks.register()
def pdf_libraries(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if find_library("pango-1.0") is None:
        problems.append(
            checks.Error(
                "Pango is not installed: PDF receipts and confirmations cannot be rendered.",
                hint="apt-get install libpango-1.0-0 libpangoft2-1.0-0 (or run make run).",
                id="tenders.E001",
            )
        )
    if find_library("harfbuzz-subset") is None:
        problems.append(
            checks.Warning(
                "libharfbuzz-subset is not installed: WeasyPrint falls back to a font "
                "subsetter twice as slow.",
                hint="apt-get install libharfbuzz-subset0",
                id="tenders.W001",
            )
        )
    return problems
