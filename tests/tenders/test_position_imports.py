"""The positions feed: the preview, the all-or-nothing import with its audit trail, the tender
guard, owners, the command and the admin's upload, preview and confirm."""

import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tenders.intake.services import instruction_submit
from tenders.models import AccountOwner, ClientAccount, Instruction, PendingImport, Position
from tenders.positions.admin import FeedCSV
from tenders.positions.imports import (
    ImportRefused,
    positions_import,
    positions_preview,
)
from tenders.positions.rows import FileRefused
from tests import factories
from tests.tenders.conftest import AUG_20, make_input

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "participant,account_number,owners,address_line1,address_line2,city,state,postal_code,"
    "country,email,phone,principal"
)


def line(account: ClientAccount | None = None, **values: str) -> str:
    """A feed line: the account as it stands (or a new one), with `values` changed."""
    fields: dict[str, str] = {
        "participant": account.firm.dtc_participant_number if account else "",
        "account_number": account.account_number if account else "NEW-1",
        "owners": ";".join(o.name for o in account.owners.all()) if account else "Ann New",
        "address_line1": account.address_line1 if account else "9 Elm Street",
        "address_line2": account.address_line2 if account else "",
        "city": account.city if account else "Rye",
        "state": account.state if account else "NY",
        "postal_code": account.postal_code if account else "10580",
        "country": str(account.country.code) if account else "US",
        "email": account.email if account else "ann@example.com",
        "phone": str(account.phone) if account else "(914) 555-0142",
        "principal": (
            # Its Old Notes: a consummation adds a New Notes position after them.
            f"{Position.objects.filter(account=account).order_by('pk')[0].principal:.0f}"
            if account
            else "50000"
        ),
    }
    fields.update(values)
    return ",".join(f'"{value}"' for value in fields.values())


def feed(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


@pytest.fixture
def scene(account: ClientAccount, joint_account: ClientAccount, offer: Any, ops: Any) -> dict:
    """Line 2 raises HB-100003 to $150,000, line 3 leaves the Chens as they are, line 4 is a
    new account of the same firm."""
    participant = account.firm.dtc_participant_number
    text = feed(
        line(account, principal="150,000"),
        line(joint_account),
        line(participant=participant, account_number="HB-200001"),
    )
    return {"text": text, "account": account, "joint": joint_account, "ops": ops}


# The preview


def test_the_preview_lists_what_is_created_updated_and_left_unchanged(scene: dict) -> None:
    report = positions_preview(text=scene["text"], by=scene["ops"], create_accounts=True)
    assert [(r.line, r.account_number, r.outcome) for r in report.rows] == [
        (2, "HB-100003", "updated"),
        (3, "HB-100004", "unchanged"),
        (4, "HB-200001", "created"),
    ]
    assert report.rows[0].changes == ("principal $125,000 → $150,000",)
    assert report.refused == ()
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()


def test_the_preview_lists_every_bad_line_with_its_number_and_reason(
    account: ClientAccount, offer: Any, ops: Any
) -> None:
    text = feed(
        line(account, state="ZZ"),
        line(account, account_number="HB-1", phone="555-01"),
        line(account, account_number="HB-2", email="not-an-e-mail"),
        line(account, account_number="HB-3", principal="1,0000"),
        line(account, account_number="HB-4", principal="125500"),
        line(account, account_number="HB-4"),
        line(account, account_number="HB-5", city="Rye\x00"),
        line(account, account_number="HB-6", address_line1="x" * 201),
        line(account, account_number="HB-7", participant="0999"),
    )
    report = positions_preview(text=text, by=ops)
    assert [(r.line, r.account_number, r.reason) for r in report.refused] == [
        (2, "HB-100003", "state 'ZZ' is not a USPS state code."),
        (3, "HB-1", "phone '555-01' is not a valid telephone number."),
        (4, "HB-2", "email 'not-an-e-mail' is not an e-mail address."),
        (5, "HB-3", "principal '1,0000' is not an amount in whole dollars (e.g. 125000, "
                    "125,000 or 125,000.00)."),
        (6, "HB-4", "principal $125,500 is not a whole multiple of $1,000."),
        (7, "HB-4", "the account is already on line 6 of the file."),
        (8, "HB-5", "city holds a NUL character."),
        (9, "HB-6", "address_line1 is 201 characters long, at most 200."),
        (10, "HB-7", "participant 0999 is not a firm of the office."),
    ]  # fmt: skip


def test_a_tin_column_refuses_the_whole_file(account: ClientAccount, offer: Any, ops: Any) -> None:

    text = feed(line(account)).replace("principal\n", "principal,tin\n", 1)
    with pytest.raises(FileRefused, match="taxpayer IDs are not part of the feed"):
        positions_preview(text=text, by=ops)


# The import


def test_the_import_writes_what_the_preview_listed(scene: dict) -> None:
    report = positions_import(
        text=scene["text"], by=scene["ops"], file_name="feed.csv", create_accounts=True
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert Position.objects.get(account=scene["account"]).principal == Decimal("150000")
    new = ClientAccount.objects.get(account_number="HB-200001")
    assert (new.city, new.state, str(new.phone)) == ("Rye", "NY", "+19145550142")
    assert list(new.owners.values_list("sequence", "name")) == [(1, "Ann New")]
    assert Position.objects.get(account=new).principal == Decimal("50000")


def test_one_bad_line_imports_nothing(scene: dict) -> None:
    text = scene["text"] + line(scene["account"], account_number="HB-9", state="ZZ") + "\n"
    with pytest.raises(ImportRefused, match=r"1 line\(s\) refused, nothing imported\. Line 5"):
        positions_import(text=text, by=scene["ops"], create_accounts=True)
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()


def test_the_audit_trail_names_the_operator_the_business_time_and_the_file(scene: dict) -> None:
    positions_import(
        text=scene["text"], by=scene["ops"], file_name="feed-0820.csv", create_accounts=True
    )
    new = ClientAccount.objects.get(account_number="HB-200001")
    raised = Position.history.filter(account_id=scene["account"].pk).latest("history_id")
    created = [
        ClientAccount.history.get(id=new.pk),
        AccountOwner.history.get(account_id=new.pk),
        Position.history.get(account_id=new.pk),
    ]
    for record in [raised, *created]:
        assert record.history_user == scene["ops"]
        assert record.history_business_at == AUG_20
        assert record.history_change_reason == "Positions import feed-0820.csv"
    assert (raised.history_type, raised.principal) == ("~", Decimal("150000"))
    assert [r.history_type for r in created] == ["+", "+", "+"]
    assert created[0].email == "ann@example.com"


def test_the_account_history_page_reads_the_imported_change(scene: dict, client: Any) -> None:
    positions_import(
        text=scene["text"], by=scene["ops"], file_name="feed.csv", create_accounts=True
    )
    client.force_login(scene["ops"])
    page = client.get(reverse("tenders:account_history", args=[scene["account"].pk]))
    assert "$150,000.00" in page.content.decode()


# The tender guard


def test_a_line_below_a_live_tender_is_refused_with_the_figures(
    account: ClientAccount, offer: Any, rep: Any, ops: Any
) -> None:
    instruction_submit(
        account=account,
        offer=offer,
        data=make_input(account, choice="AMOUNT", amount=Decimal("100000")),
        by=rep,
    )
    with pytest.raises(ImportRefused) as refused:
        positions_import(text=feed(line(account, principal="60000")), by=ops)
    assert str(refused.value.report.refused[0]) == (
        "Line 2 (account HB-100003): The account's instruction (version 1, received) tenders "
        f"$100,000 of the {offer.name}: the position cannot go below it ($60,000 entered, "
        "$125,000 held). Amend or withdraw the instruction first."
    )
    assert Position.objects.get(account=account).principal == Decimal("125000")


def test_a_line_may_lower_a_position_to_the_live_tender(
    account: ClientAccount, offer: Any, rep: Any, ops: Any
) -> None:
    instruction_submit(
        account=account,
        offer=offer,
        data=make_input(account, choice="AMOUNT", amount=Decimal("100000")),
        by=rep,
    )
    report = positions_import(text=feed(line(account, principal="100000")), by=ops)
    assert report.updated == 1
    assert Position.objects.get(account=account).principal == Decimal("100000")


@pytest.fixture
def consummated(account: ClientAccount, offer: Any, rep: Any) -> Instruction:
    """The account's $100,000 tender, and the offer marked consummated on Sep 5, 2001."""
    instruction = instruction_submit(
        account=account,
        offer=offer,
        data=make_input(account, choice="AMOUNT", amount=Decimal("100000")),
        by=rep,
    )
    offer.status, offer.consummation_date = "consummated", date(2001, 9, 5)
    offer.save()
    return instruction


def test_after_consummation_a_feed_is_refused_whole(
    consummated: Instruction, account: ClientAccount, ops: Any, at: Any
) -> None:
    # The consummation takes the notes out through the books (issue 23): no feed changes them.
    at("2001-09-05T09:00:00-04:00")
    with pytest.raises(FileRefused, match="Old Notes move only through the books"):
        positions_import(text=feed(line(account, principal="0")), by=ops)
    assert Position.objects.get(account=account).principal == Decimal("125000")


# Owners


def test_owners_are_replaced_and_a_respelled_owner_stays_the_same_owner(
    joint_account: ClientAccount, offer: Any, ops: Any
) -> None:
    robert = joint_account.owners.get(name="Robert A. Chen")
    text = feed(line(joint_account, owners="ROBERT A CHEN;Mei Chen"))
    report = positions_import(text=text, by=ops)
    assert report.rows[0].changes == (
        "owners Robert A. Chen; Linda M. Chen → ROBERT A CHEN; Mei Chen",
    )
    owners = list(joint_account.owners.order_by("sequence").values_list("pk", "name"))
    assert owners[0] == (robert.pk, "ROBERT A CHEN")
    assert [name for _, name in owners] == ["ROBERT A CHEN", "Mei Chen"]
    assert AccountOwner.history.filter(name="Linda M. Chen", history_type="-").exists()


def test_an_owner_who_signed_is_never_removed(
    joint_account: ClientAccount, offer: Any, rep: Any, ops: Any
) -> None:
    instruction_submit(account=joint_account, offer=offer, data=make_input(joint_account), by=rep)
    with pytest.raises(
        ImportRefused,
        match=r"Linda M\. Chen \(owner 2\) signed an instruction "
        r"and is not in the file: an owner who signed is never removed\.",
    ):
        positions_import(text=feed(line(joint_account, owners="Robert A. Chen")), by=ops)
    assert joint_account.owners.count() == 2


# The command


def run_command(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_positions", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    return status, out.getvalue(), err.getvalue()


def test_the_command_imports_and_its_last_line_counts(scene: dict, tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(scene["text"])
    firm = scene["account"].firm.dtc_participant_number
    status, out, _ = run_command(str(path), "--firm", firm, "--create-accounts")
    assert status == 0
    assert out.splitlines()[-1] == "created=1 updated=1 unchanged=1 refused=0"
    assert ClientAccount.objects.filter(account_number="HB-200001").exists()


def test_a_dry_run_counts_and_writes_nothing(scene: dict, tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(scene["text"])
    firm = scene["account"].firm.dtc_participant_number
    status, out, _ = run_command(str(path), "--firm", firm, "--create-accounts", "--dry-run")
    assert status == 0
    assert out.splitlines()[-2:] == [
        "Dry run: nothing written.",
        "created=1 updated=1 unchanged=1 refused=0",
    ]
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()


def test_a_line_of_another_firm_is_refused_by_the_command(scene: dict, tmp_path: Path) -> None:
    other = factories.BrokerFirmFactory(dtc_participant_number="0777")
    path = tmp_path / "feed.csv"
    path.write_text(scene["text"] + line(scene["account"], participant="0777") + "\n")
    firm = scene["account"].firm.dtc_participant_number
    status, out, err = run_command(str(path), "--firm", firm, "--create-accounts")
    assert status == 1
    assert out.splitlines()[-1] == "created=0 updated=0 unchanged=0 refused=1"
    assert err.strip() == (
        f"Line 5 (account HB-100003): participant {other.dtc_participant_number} is not the "
        f"firm being imported ({firm})."
    )
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")


@pytest.fixture(scope="module")
def command_database(command_database: Callable[..., dict[str, str]]) -> dict[str, str]:
    """A migrated SQLite file with the offer and a firm (DTC 0901), run as a scheduler does."""
    firm = "from tenders.models import BrokerFirm; BrokerFirm.objects.create(name='H&B', "
    firm += "dtc_participant_number='0901')"
    return command_database(["load_offer", "lexington-2001"], ["shell", "-c", firm])


@pytest.mark.slow
def test_a_refused_feed_exits_1_from_the_shell_and_its_last_line_says_so(
    command_database: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        feed(
            line(participant="0901", account_number="HB-1"),
            line(participant="0901", account_number="HB-2", principal="1500"),
        )
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "import_positions", str(path), "--firm", "0901",
         "--create-accounts"],
        cwd=ROOT, env=command_database, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "created=0 updated=0 unchanged=0 refused=1"
    assert "Line 3 (account HB-2): principal $1,500 is not a whole multiple" in result.stderr
    assert "Traceback" not in result.stderr


# The admin


def _upload(client: Any, text: str) -> Any:
    return client.post(
        reverse("admin:tenders_position_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("feed.csv", text.encode(), "text/csv"),
        },
    )


def _confirm_data(page: Any) -> dict[str, str]:
    form = page.context["confirm_form"]
    return {name: form.initial.get(name, "") for name in form.fields}


def test_operations_upload_preview_and_confirm_in_the_admin(scene: dict, client: Any) -> None:
    client.force_login(scene["ops"])
    preview = _upload(client, scene["text"])
    html = preview.content.decode()
    assert "New accounts" in html and "principal $125,000 → $150,000" in html
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")
    confirm = {**_confirm_data(preview), "create_accounts": "on"}
    done = client.post(reverse("admin:tenders_position_process_import"), confirm)
    assert done.status_code == 302
    assert Position.objects.get(account=scene["account"]).principal == Decimal("150000")
    messages = [str(m) for m in client.get(done["Location"]).context["messages"]]
    assert messages == ["Positions feed imported: 1 created, 1 updated, 1 unchanged."]


def test_confirming_the_same_preview_twice_says_it_was_imported_and_writes_nothing_more(
    scene: dict, client: Any
) -> None:
    client.force_login(scene["ops"])
    confirm = {**_confirm_data(_upload(client, scene["text"])), "create_accounts": "on"}
    assert client.post(reverse("admin:tenders_position_process_import"), confirm).status_code == 302
    history = Position.history.count()
    again = client.post(reverse("admin:tenders_position_process_import"), confirm, follow=True)
    assert again.status_code == 200
    assert "This preview was already imported" in again.content.decode()
    assert Position.history.count() == history


def test_a_confirmation_naming_no_kept_file_is_refused_plainly(scene: dict, client: Any) -> None:
    client.force_login(scene["ops"])
    confirm = {**_confirm_data(_upload(client, scene["text"])), "create_accounts": "on"}
    confirm["import_file_name"] = "no-such-upload.csv"
    again = client.post(reverse("admin:tenders_position_process_import"), confirm, follow=True)
    assert "This preview was already imported, or is no longer kept" in again.content.decode()
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")


def test_the_previewed_file_is_kept_in_the_database_under_an_unguessable_name_for_its_uploader(
    scene: dict, client: Any
) -> None:
    client.force_login(scene["ops"])
    first = _confirm_data(_upload(client, scene["text"]))["import_file_name"]
    second = _confirm_data(_upload(client, scene["text"]))["import_file_name"]
    kept = PendingImport.objects.get(name=first)
    assert kept.uploaded_by == scene["ops"]
    assert bytes(kept.data) == scene["text"].encode()
    assert first != second and len(first) >= 43  # 256 random bits, URL-safe
    assert not (Path(tempfile.gettempdir()) / first).exists()  # nothing on this machine's disk


def test_another_operators_confirmation_naming_the_upload_is_refused_and_reads_nothing(
    scene: dict, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(scene["ops"])
    confirm = {**_confirm_data(_upload(client, scene["text"])), "create_accounts": "on"}
    read: list[str] = []
    monkeypatch.setattr(FeedCSV, "create_dataset", lambda self, data, **kw: read.append(data))
    client.force_login(factories.OperationsUserFactory(username="ops-other"))
    page = client.post(reverse("admin:tenders_position_process_import"), confirm, follow=True)
    assert "This preview was already imported, or is no longer kept" in page.content.decode()
    assert read == []  # the file never reached the import
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")
    assert PendingImport.objects.filter(name=confirm["import_file_name"]).exists()


def test_the_confirmation_removes_the_kept_file(scene: dict, client: Any) -> None:
    client.force_login(scene["ops"])
    confirm = {**_confirm_data(_upload(client, scene["text"])), "create_accounts": "on"}
    kept = PendingImport.objects.filter(name=confirm["import_file_name"])
    assert kept.exists()
    assert client.post(reverse("admin:tenders_position_process_import"), confirm).status_code == 302
    assert not kept.exists()


def test_a_confirmation_naming_a_file_in_the_temporary_folder_reads_nothing(
    scene: dict, client: Any
) -> None:
    """A forged name: the old temporary storage opened any file of this machine's temporary
    folder that the confirmation named (another operator's upload, say)."""
    client.force_login(scene["ops"])
    confirm = {**_confirm_data(_upload(client, scene["text"])), "create_accounts": "on"}
    with tempfile.NamedTemporaryFile("w", suffix=".csv") as forged:
        forged.write(scene["text"])
        forged.flush()
        confirm["import_file_name"] = Path(forged.name).name
        page = client.post(reverse("admin:tenders_position_process_import"), confirm, follow=True)
        assert Path(forged.name).exists()
    assert "This preview was already imported, or is no longer kept" in page.content.decode()
    assert Position.objects.get(account=scene["account"]).principal == Decimal("125000")


def test_the_admin_preview_shows_refused_lines_and_offers_no_confirmation(
    scene: dict, client: Any
) -> None:
    client.force_login(scene["ops"])
    text = scene["text"] + line(scene["account"], account_number="HB-9", state="ZZ") + "\n"
    page = _upload(client, text)
    html = page.content.decode()
    assert "1 line refused: nothing can be imported" in html
    assert "state &#x27;ZZ&#x27; is not a USPS state code." in html
    assert "confirm_form" not in page.context or page.context["confirm_form"] is None


def test_a_plan_changed_since_the_preview_imports_nothing(scene: dict, client: Any) -> None:
    client.force_login(scene["ops"])
    preview = _upload(client, scene["text"])
    ClientAccount.objects.filter(pk=scene["joint"].pk).update(city="Greenwich")
    confirm = {**_confirm_data(preview), "create_accounts": "on"}
    page = client.post(reverse("admin:tenders_position_process_import"), confirm)
    assert "The accounts changed since the preview: nothing imported." in page.content.decode()
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()


def test_a_representative_cannot_import(scene: dict, client: Any, rep: Any) -> None:
    rep.is_staff = True  # even one let into the admin
    rep.save()
    client.force_login(rep)
    assert client.get(reverse("admin:tenders_position_import")).status_code == 403
    assert _upload(client, scene["text"]).status_code == 403
    assert not ClientAccount.objects.filter(account_number="HB-200001").exists()


def test_a_large_file_is_read_and_locked_by_firm_with_the_same_plan(
    scene: dict, rep: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenders.positions import imports as services

    small = positions_preview(text=scene["text"], by=scene["ops"], create_accounts=True)
    monkeypatch.setattr(services, "CHUNK", 1)  # every file is "large"
    again = positions_preview(text=scene["text"], by=scene["ops"], create_accounts=True)
    assert again.digest == small.digest
    report = positions_import(text=scene["text"], by=scene["ops"], create_accounts=True)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
