import pytest

from tenders.documents import checks


def test_start_up_check_passes_with_the_pdf_libraries_installed() -> None:
    assert checks.pdf_libraries() == []


def test_start_up_check_warns_without_the_harfbuzz_subsetter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks, "find_library", lambda name: None if "subset" in name else name)
    (warning,) = checks.pdf_libraries()
    assert warning.id == "tenders.W001"
    assert "twice as slow" in warning.msg


def test_start_up_check_errors_without_pango(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "find_library", lambda name: None if "pango" in name else name)
    assert [problem.id for problem in checks.pdf_libraries()] == ["tenders.E001"]
