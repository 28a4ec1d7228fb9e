"""The Operations role exists on every install (every `migrate` makes the groups match the
roles declared in tenders/accounts/roles.py, not the demo), and `grant_operations` makes any
user an operator: the admin pages of offers and instructions, the offer's actions, and nothing
deleted, no document or audit row changed."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tenders.accounts.roles import OPERATIONS_GROUP, ROLES, TIN_REVEAL_GROUP, roles_sync
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# What operations may add and change, written out here rather than read from the roles.
EDITED_MODELS = {
    "notes.issuer",
    "notes.security",
    "notes.ratestep",
    "notes.exchangeoffer",
    "notes.feeinstallment",
    "notes.offercondition",
    "notes.excludedjurisdiction",
    "tenders.brokerfirm",
    "tenders.representative",
    "tenders.clientaccount",
    "tenders.accountowner",
    "tenders.position",
}
ACTIONS = {
    "tenders.change_instruction",
    "tenders.override_cutoff",
    "tenders.add_document",
    "tenders.add_outboxmessage",
    "tenders.change_bulkrun",
    "tenders.mark_outboxmessage_sent",
    "auth.view_user",
}
# Rows only services write, or that are evidence: never changed by an operator.
NEVER_CHANGED = [
    "tenders.change_document",
    "tenders.change_outboxmessage",
    "tenders.change_tinreveal",
    "tenders.add_tinreveal",
    "tenders.change_instructiontransition",
    "tenders.change_instructionsigner",
    "tenders.change_historicalinstruction",
    "tenders.change_historicalclientaccount",
    "notes.change_historicalexchangeoffer",
]


def _codes(group: Group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.fixture
def operations_group() -> Group:
    return Group.objects.get(name=OPERATIONS_GROUP)


def test_every_install_has_the_operations_group_with_its_permissions(operations_group) -> None:
    expected_edits = {
        f"{app_model.split('.')[0]}.{verb}_{app_model.split('.')[1]}"
        for app_model in EDITED_MODELS
        for verb in ("add", "change")
    }
    assert expected_edits | ACTIONS <= _codes(operations_group)


def test_operations_may_view_every_model_of_both_apps(operations_group) -> None:
    codes = _codes(operations_group)
    for app_label in ("notes", "tenders"):
        for model in apps.get_app_config(app_label).get_models():
            assert f"{app_label}.view_{model._meta.model_name}" in codes


def test_operations_delete_nothing(operations_group) -> None:
    assert not {code for code in _codes(operations_group) if ".delete_" in code}


@pytest.mark.parametrize("code", NEVER_CHANGED)
def test_operations_never_change_documents_or_audit_rows(operations_group, code: str) -> None:
    app_label, codename = code.split(".")
    assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()
    assert code not in _codes(operations_group)


def test_migrate_makes_a_group_hold_exactly_its_declared_permissions(operations_group) -> None:
    stray = Permission.objects.get(content_type__app_label="tenders", codename="delete_document")
    operations_group.permissions.add(stray)
    operations_group.permissions.remove(
        Permission.objects.get(content_type__app_label="tenders", codename="view_instruction")
    )
    roles_sync()
    assert _codes(operations_group) == ROLES[OPERATIONS_GROUP]


def test_a_role_naming_a_permission_that_does_not_exist_is_refused(monkeypatch) -> None:
    monkeypatch.setitem(ROLES, TIN_REVEAL_GROUP, frozenset({"tenders.reveal_tins"}))
    with pytest.raises(ImproperlyConfigured, match=r"do not exist: tenders\.reveal_tins"):
        roles_sync()


def test_revealing_a_full_tin_is_a_group_of_its_own(operations_group) -> None:
    assert "tenders.reveal_tin" not in _codes(operations_group)
    assert _codes(Group.objects.get(name=TIN_REVEAL_GROUP)) == {"tenders.reveal_tin"}


# grant_operations


def test_grant_operations_makes_a_user_staff_and_an_operator() -> None:
    user = factories.UserFactory(username="olivia")
    call_command("grant_operations", "olivia", stdout=(out := _Out()))
    user.refresh_from_db()
    assert user.is_staff
    assert user.has_perm("tenders.change_instruction")
    assert not user.has_perm("tenders.reveal_tin")
    assert out.text == "olivia is operations staff.\n"


def test_grant_operations_with_reveal_tin_adds_the_reveal_right() -> None:
    user = factories.UserFactory(username="olivia")
    call_command("grant_operations", "olivia", "--reveal-tin", stdout=_Out())
    user.refresh_from_db()
    assert user.has_perm("tenders.reveal_tin")


def test_revoking_reveal_tin_only_keeps_the_operations_role() -> None:
    user = factories.OperationsUserFactory(username="olivia", reveal_tin=True)
    call_command("grant_operations", "olivia", "--revoke", "--reveal-tin", stdout=_Out())
    user = type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached
    assert user.is_staff and user.has_perm("tenders.change_instruction")
    assert not user.has_perm("tenders.reveal_tin")


def test_revoke_takes_the_role_away() -> None:
    user = factories.OperationsUserFactory(username="olivia", reveal_tin=True)
    call_command("grant_operations", "olivia", "--revoke", stdout=_Out())
    user = type(user).objects.get(pk=user.pk)
    assert not user.is_staff
    assert not user.has_perm("tenders.change_instruction")
    assert not user.has_perm("tenders.reveal_tin")


def test_grant_operations_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        call_command("grant_operations", "nobody")


def test_grant_operations_refuses_a_representative_of_a_firm() -> None:
    rep = factories.RepresentativeFactory(user__username="rachel")
    with pytest.raises(CommandError, match=r"rachel is a representative of .*membership first"):
        call_command("grant_operations", "rachel")
    rep.user.refresh_from_db()
    assert not rep.user.is_staff
    assert not rep.user.groups.exists()


@pytest.fixture(scope="module")
def fresh_install(command_database: Callable[..., dict[str, str]]) -> dict[str, str]:
    """A migrated SQLite file, no demo, and one plain user: a fresh production-like install."""
    create_user = "from django.contrib.auth.models import User; User.objects.create_user('olivia')"
    return command_database(["shell", "-c", create_user])


def _shell(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_grant_operations_works_on_a_fresh_install_without_the_demo(fresh_install) -> None:
    granted = _shell(fresh_install, "grant_operations", "olivia", "--reveal-tin")
    assert (granted.returncode, granted.stderr) == (0, "")
    assert granted.stdout == "olivia is operations staff and may reveal taxpayer IDs.\n"
    check = _shell(
        fresh_install, "shell", "--no-imports", "-c",
        "from django.contrib.auth.models import User; u = User.objects.get(username='olivia'); "
        "print(u.is_staff, u.has_perm('tenders.view_instruction'), "
        "u.has_perm('notes.change_exchangeoffer'), u.has_perm('tenders.reveal_tin'))",
    )  # fmt: skip
    assert check.stdout == "True True True True\n"


@pytest.mark.slow
def test_grant_operations_error_is_one_line_and_a_non_zero_exit(fresh_install) -> None:
    result = _shell(fresh_install, "grant_operations", "nobody")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == ["CommandError: There is no user 'nobody'."]


# A fresh install without the demo: the role is enough for the admin.


def test_before_the_grant_a_plain_user_has_no_admin(client) -> None:
    factories.UserFactory(username="olivia", password="pw-olivia-2001")
    client.login(username="olivia", password="pw-olivia-2001")
    response = client.get(reverse("admin:tenders_instruction_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_after_the_grant_the_admin_shows_instructions_and_offers(client) -> None:
    offer = factories.ExchangeOfferFactory()
    instruction = factories.InstructionFactory(offer=offer)
    factories.UserFactory(username="olivia", password="pw-olivia-2001")
    call_command("grant_operations", "olivia", stdout=_Out())
    client.login(username="olivia", password="pw-olivia-2001")
    pages = [
        reverse("admin:index"),
        reverse("admin:tenders_instruction_changelist"),
        reverse("admin:tenders_instruction_change", args=[instruction.pk]),
        reverse("admin:notes_exchangeoffer_changelist"),
        reverse("admin:notes_exchangeoffer_change", args=[offer.pk]),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_an_operator_cannot_delete_an_instruction_or_change_a_document(client) -> None:
    document = factories.DocumentFactory()
    operator = factories.OperationsUserFactory(username="olivia")
    client.force_login(operator)
    instruction_delete = reverse("admin:tenders_instruction_delete", args=[document.instruction_id])
    assert client.post(instruction_delete, {"post": "yes"}).status_code == 403
    change = client.get(reverse("admin:tenders_document_change", args=[document.pk]))
    assert change.status_code == 200
    assert 'type="submit" value="Save"' not in change.content.decode()  # shown, not editable
    bulk_delete = {"action": "delete_selected", "_selected_action": [document.pk]}
    client.post(reverse("admin:tenders_document_changelist"), bulk_delete)
    assert type(document).objects.filter(pk=document.pk).exists()


class _Out:
    """A stdout for call_command that keeps what was written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
