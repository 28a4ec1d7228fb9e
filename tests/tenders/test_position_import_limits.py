"""The positions feed's limits (issue 22): a file over the size limit is refused from its size,
before it is read; one with too many lines as soon as the line past the limit is read; the
preview lists the first 500 lines of each kind with the full counts, and every kind even when
a line is refused; an account not on file is created only when asked (the confirmation's
tick, the command's --create-accounts)."""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tenders.models import ClientAccount, Position
from tenders.positions.imports import ImportRefused, positions_import, positions_preview
from tenders.positions.rows import FileRefused
from tests.forms import form_data
from tests.tenders.test_position_imports import _confirm_data, _upload, feed, line, run_command

pytestmark = pytest.mark.django_db

ONE_MB = 1024 * 1024
TOO_LARGE = (
    "The file is 1,048,577 bytes, more than the 1,048,576 bytes (1 MB) one import takes: "
    "split it into smaller files."
)
NOT_ASKED = (
    "the account is not on file, and creating new accounts was not asked for "
    "(--create-accounts, or the tick on the import page)."
)


@pytest.fixture
def scene(account: ClientAccount, joint_account: ClientAccount, offer: Any, ops: Any) -> dict:
    """Line 2 raises HB-100003 to $150,000, line 3 leaves the Chens as they are, line 4 is an
    account not on file (HB-200001)."""
    participant = account.firm.dtc_participant_number
    text = feed(
        line(account, principal="150,000"),
        line(joint_account),
        line(participant=participant, account_number="HB-200001"),
    )
    return {"text": text, "account": account, "ops": ops, "participant": participant}


def _padded(text: str, size: int) -> str:
    """The feed followed by blank lines up to `size` bytes."""
    return text + "\n" * (size - len(text.encode()))


def _refused_lines(account: ClientAccount, count: int) -> list[str]:
    return [line(account, account_number=f"HB-9{i:05d}", state="ZZ") for i in range(count)]


# The size of the file


def test_an_upload_over_the_size_limit_is_refused_next_to_the_file_before_it_is_read(
    scene: dict, client: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.POSITIONS_IMPORT_MAX_BYTES = ONE_MB

    def never(**kwargs: Any) -> None:
        raise AssertionError("the file was read")

    monkeypatch.setattr("tenders.positions.admin.positions_preview", never)
    client.force_login(scene["ops"])
    page = _upload(client, _padded(scene["text"], ONE_MB + 1))
    assert page.context["form"].errors["import_file"] == [TOO_LARGE]
    assert "confirm_form" not in page.context or page.context["confirm_form"] is None
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()


def test_an_upload_at_the_size_limit_is_previewed(scene: dict, client: Any, settings: Any) -> None:
    settings.POSITIONS_IMPORT_MAX_BYTES = ONE_MB
    client.force_login(scene["ops"])
    page = _upload(client, _padded(scene["text"], ONE_MB))
    assert page.context["confirm_form"] is not None


def test_the_command_refuses_a_file_over_the_size_limit_in_one_line_and_exits_1(
    scene: dict, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.POSITIONS_IMPORT_MAX_BYTES = ONE_MB

    def never(data: bytes) -> str:
        raise AssertionError("the file was read")

    monkeypatch.setattr("tenders.management.commands.import_positions.decode", never)
    path = tmp_path / "feed.csv"
    path.write_text(_padded(scene["text"], ONE_MB + 1))
    status, out, err = run_command(str(path), "--firm", scene["participant"], "--create-accounts")
    assert status == 1
    assert err.splitlines() == [TOO_LARGE]
    assert out.splitlines()[-1] == "created=0 updated=0 unchanged=0 refused=1"
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()


# The number of lines


def test_a_file_over_the_line_limit_is_refused_as_soon_as_the_line_past_it_is_read(
    scene: dict, settings: Any
) -> None:
    settings.POSITIONS_IMPORT_MAX_ROWS = 2
    # Past the limit, a line that is not CSV at all: it is never reached.
    text = scene["text"] + 'HB,"unclosed\n'
    with pytest.raises(FileRefused) as refused:
        positions_preview(text=text, by=scene["ops"], create_accounts=True)
    assert str(refused.value) == (
        "The file has more than 2 account lines, the most one import takes: split it into "
        "smaller files."
    )


def test_a_file_at_the_line_limit_is_read_whole(scene: dict, settings: Any) -> None:
    settings.POSITIONS_IMPORT_MAX_ROWS = 3
    report = positions_preview(text=scene["text"], by=scene["ops"], create_accounts=True)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)


# The preview


def test_the_preview_lists_500_refused_lines_and_counts_the_rest(scene: dict, client: Any) -> None:
    text = scene["text"] + "\n".join(_refused_lines(scene["account"], 503)) + "\n"
    client.force_login(scene["ops"])
    html = _upload(client, text).content.decode()
    assert "503 lines refused: nothing can be imported" in html
    assert html.count("is not a USPS state code.") == 500
    assert "HB-900499" in html and "HB-900500" not in html
    assert "and 3 more refused lines." in html
    assert re.search(r'data-kind="refused">503<', html)


def test_the_preview_lists_500_new_accounts_and_counts_the_rest(scene: dict, client: Any) -> None:
    new = [
        line(participant=scene["participant"], account_number=f"HB-3{i:05d}") for i in range(502)
    ]
    client.force_login(scene["ops"])
    html = _upload(client, scene["text"] + "\n".join(new) + "\n").content.decode()
    assert re.search(r'data-kind="created">503<', html)
    assert "HB-300498" in html and "HB-300499" not in html  # HB-200001 is the first
    assert "and 3 more new accounts." in html


def test_a_preview_with_a_refused_line_shows_what_every_other_line_would_do(
    scene: dict, client: Any
) -> None:
    text = scene["text"] + _refused_lines(scene["account"], 1)[0] + "\n"
    client.force_login(scene["ops"])
    page = _upload(client, text)
    html = page.content.decode()
    assert "1 line refused: nothing can be imported" in html
    assert "principal $125,000 → $150,000" in html  # updated
    assert "HB-100004 (line 3)" in html  # unchanged
    assert "owners Ann New; principal $50,000" in html  # a new account
    assert "confirm_form" not in page.context or page.context["confirm_form"] is None


# New accounts


def test_the_confirmation_asks_for_the_tick_naming_the_new_accounts(
    scene: dict, client: Any
) -> None:
    client.force_login(scene["ops"])
    html = _upload(client, scene["text"]).content.decode()
    assert re.search(r'<input type="checkbox" name="create_accounts"[^>]*>', html)
    assert "Create the 1 new account listed" in html


def test_a_file_without_new_accounts_asks_for_no_tick(
    account: ClientAccount, offer: Any, ops: Any, client: Any
) -> None:
    client.force_login(ops)
    page = _upload(client, feed(line(account, principal="150,000")))
    assert "create_accounts" not in page.context["confirm_form"].fields
    done = client.post(reverse("admin:tenders_position_process_import"), _confirm_data(page))
    assert done.status_code == 302
    assert Position.objects.get(account=account).principal == Decimal("150000")


def test_confirming_without_the_tick_imports_nothing_and_says_so_next_to_it(
    scene: dict, client: Any
) -> None:
    client.force_login(scene["ops"])
    preview = _upload(client, scene["text"])
    page = client.post(reverse("admin:tenders_position_process_import"), _confirm_data(preview))
    assert page.status_code == 200
    assert page.context["confirm_form"].errors["create_accounts"] == [
        "Tick this to create the new account listed, or remove its line from the file: "
        "nothing was imported."
    ]
    html = page.content.decode()
    assert "principal $125,000 → $150,000" in html  # the preview, again
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")


def test_after_the_refusal_ticking_the_box_imports_the_file(scene: dict, client: Any) -> None:
    client.force_login(scene["ops"])
    preview = _upload(client, scene["text"])
    refused = client.post(reverse("admin:tenders_position_process_import"), _confirm_data(preview))
    again = {**form_data(refused.content.decode(), "feed-confirm"), "create_accounts": "on"}
    done = client.post(reverse("admin:tenders_position_process_import"), again)
    assert done.status_code == 302
    assert ClientAccount.objects.filter(account_number="HB-200001").exists()


def test_a_confirmation_forged_to_need_no_tick_creates_no_account(scene: dict, client: Any) -> None:
    client.force_login(scene["ops"])
    preview = _upload(client, scene["text"])
    forged = {**_confirm_data(preview), "new_accounts": "0"}
    page = client.post(reverse("admin:tenders_position_process_import"), forged)
    assert "Import refused: nothing was imported" in page.content.decode()
    assert NOT_ASKED.replace("'", "&#x27;") in page.content.decode()
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")


def test_the_import_refuses_an_account_not_on_file_unless_asked(scene: dict) -> None:
    with pytest.raises(ImportRefused) as refused:
        positions_import(text=scene["text"], by=scene["ops"])
    assert [str(r) for r in refused.value.report.refused] == [
        f"Line 4 (account HB-200001): {NOT_ASKED}"
    ]
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")


def test_the_command_without_create_accounts_refuses_new_accounts_with_the_reason(
    scene: dict, tmp_path: Path
) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(scene["text"])
    status, out, err = run_command(str(path), "--firm", scene["participant"])
    assert status == 1
    assert err.splitlines() == [f"Line 4 (account HB-200001): {NOT_ASKED}"]
    assert out.splitlines()[-1] == "created=0 updated=0 unchanged=0 refused=1"
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")


def test_a_dry_run_without_create_accounts_counts_the_new_accounts_as_refused(
    scene: dict, tmp_path: Path
) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(scene["text"])
    status, out, _ = run_command(str(path), "--firm", scene["participant"], "--dry-run")
    assert status == 1
    assert out.splitlines()[-1] == "created=0 updated=0 unchanged=0 refused=1"
