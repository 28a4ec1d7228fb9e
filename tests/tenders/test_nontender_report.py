"""The report of the holders who do not tender: its rows and totals, in a fixed number of
queries; its CSV (admin download and `manage.py nontender_report`); the admin page.

Figures worked by hand (domain.md): Ferris tendered $400,000 of $480,000, so $80,000 stays
out and is paid 80 x $1,267.04 = $101,363.20 on a Sep 5, 2001 consummation; Adeyemi tendered
nothing of $5,000: 5 x $1,267.04 = $6,335.20. Totals: $85,000 and $107,698.40.
"""

import csv
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from tenders.intake.services import instruction_withdraw
from tenders.management.commands.nontender_report import Command
from tenders.notices.selectors import nontender_report
from tenders.offers.consummation import offer_consummate
from tests import factories
from tests.tenders.conftest import notice_for, send_to_agent
from tests.tenders.notices_scene import SEP_5, SEP_5_MORNING, holder, set_the_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(offer, firm, rep, ops, account) -> dict[str, Any]:
    return set_the_scene(offer, firm, rep, ops, account)


@pytest.fixture
def consummated(scene, offer, ops, at, fake_pdf) -> dict[str, Any]:
    send_to_agent(offer, ops)  # consummation accepts what the agent holds
    at(SEP_5_MORNING)
    offer_consummate(offer=offer, on=SEP_5, by=ops)  # its bulk runs are not drained here
    return scene


def _rows(report: Any) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal | None]]:
    return [(r.account_number, r.position, r.tendered, r.untendered, r.payout) for r in report.rows]


def test_the_report_lists_each_account_with_old_notes_not_tendered_and_its_payout(
    consummated, offer
) -> None:
    report = nontender_report(offer=offer)
    assert (report.payment_date, report.projected) == (SEP_5, False)
    assert _rows(report) == [
        ("HB-100005", Decimal("5000"), Decimal("0"), Decimal("5000"), Decimal("6335.20")),
        ("HB-100007", Decimal("480000"), Decimal("400000"), Decimal("80000"), Decimal("101363.20")),
    ]  # fmt: skip


def test_the_report_totals_the_principal_not_tendered_and_the_payouts(consummated, offer) -> None:
    report = nontender_report(offer=offer)
    assert (report.accounts, report.total_untendered, report.total_payout) == (
        2, Decimal("85000"), Decimal("107698.40"),
    )  # fmt: skip


def test_before_consummation_the_payouts_are_projected_on_the_expected_date(scene, offer) -> None:
    report = nontender_report(offer=offer)
    assert (report.payment_date, report.projected) == (SEP_5, True)
    assert report.total_payout == Decimal("107698.40")


def test_a_withdrawn_instruction_leaves_the_whole_position_out(scene, offer, rep) -> None:
    ferris = scene["ferris_instruction"]
    instruction_withdraw(
        notice=notice_for(ferris), instruction=ferris, expected_version=ferris.version, by=rep
    )
    (row,) = [r for r in nontender_report(offer=offer).rows if r.account_number == "HB-100007"]
    # 480 x $1,267.04 = $608,179.20
    assert (row.untendered, row.payout, row.instruction_status) == (
        Decimal("480000"), Decimal("608179.20"), "",
    )  # fmt: skip


def test_a_terminated_offer_pays_nobody(scene, offer) -> None:
    offer.status = "terminated"
    offer.save()
    report = nontender_report(offer=offer)
    assert report.error == "The offer was terminated: nobody is paid under it."
    assert report.total_payout == Decimal(0)


def test_the_report_makes_as_many_queries_for_many_accounts_as_for_few(
    scene, offer, firm, ops, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(100) as few:
        nontender_report(offer=offer)
    for n in range(30):
        holder(firm, offer, ops, f"HB-2{n:05d}", f"Holder {n}", "3000")
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        report = nontender_report(offer=offer)
    assert report.accounts == 32
    assert len(many.captured_queries) == len(few.captured_queries)


# The CSV


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_a_row_per_account_with_exact_amounts(consummated, offer) -> None:
    out = io.StringIO()
    call_command("nontender_report", "--offer", offer.slug, "--format", "csv", stdout=out)
    rows = _csv(out.getvalue())
    ferris = rows[1]
    assert [r["account_number"] for r in rows] == ["HB-100005", "HB-100007"]
    assert {key: ferris[key] for key in ("owners", "position", "tendered", "untendered")} == {
        "owners": "Ferris Family Foundation", "position": "480000.00", "tendered": "400000.00",
        "untendered": "80000.00",
    }  # fmt: skip
    assert (ferris["payout"], ferris["payment_date"], ferris["projected"]) == (
        "101363.20", "2001-09-05", "no",
    )  # fmt: skip
    assert ferris["instruction_status"] == "Accepted on consummation"


def test_a_name_that_looks_like_a_formula_is_written_as_text(scene, offer, firm, ops) -> None:
    holder(firm, offer, ops, "HB-300001", "=HYPERLINK(0)", "1000")
    out = io.StringIO()
    call_command("nontender_report", "--offer", offer.slug, stdout=out)
    (row,) = [r for r in _csv(out.getvalue()) if r["account_number"] == "HB-300001"]
    assert row["owners"] == "'=HYPERLINK(0)"


def test_the_command_writes_json_with_the_totals(consummated, offer) -> None:
    out = io.StringIO()
    call_command("nontender_report", "--offer", offer.slug, "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["accounts"], report["total_untendered"], report["total_payout"]) == (
        2, "85000.00", "107698.40",
    )  # fmt: skip
    assert report["rows"][1]["owners"] == ["Ferris Family Foundation"]


def test_the_command_says_in_one_line_on_stderr_that_an_offer_does_not_exist(capsys) -> None:
    with pytest.raises(SystemExit) as exit_status:
        Command().run_from_argv(["manage.py", "nontender_report", "--offer", "nope"])
    assert exit_status.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "CommandError: There is no offer 'nope'.\n"


# The admin page


def test_operations_see_the_report_with_its_totals(client, consummated, offer, ops) -> None:
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_nontenderreportoffer_change", args=[offer.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "$85,000.00" in text and "$107,698.40" in text
    assert "HB-100007" in text and "$101,363.20" in text
    assert "Paid on September 5, 2001" in text


def test_operations_download_the_csv_from_the_admin(client, consummated, offer, ops) -> None:
    client.force_login(ops)
    response = client.get(reverse("admin:tenders_nontenderreportoffer_csv", args=[offer.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="lexington-2001-not-tendered.csv"'
    )
    assert [r["payout"] for r in _csv(response.content.decode())] == ["6335.20", "101363.20"]


def test_staff_without_the_operations_role_cannot_download_the_csv(
    client, consummated, offer
) -> None:
    client.force_login(factories.StaffUserFactory(username="staff-only"))
    response = client.get(reverse("admin:tenders_nontenderreportoffer_csv", args=[offer.pk]))
    assert response.status_code == 403
