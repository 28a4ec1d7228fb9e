"""The admin list rows kept under the data version (tenders/templatetags/admin_rows.py) follow
the user's rights at once: a permission taken away, directly, from a group or with the
superuser status, is seen by the next request, not when the cached rows expire. Transactional
tests, as the cache's own: the version is bumped only by a committed write."""

from typing import Any

import pytest
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from tenders.templatetags import admin_rows
from tests.tenders import test_tabulation, test_tabulation_cache

pytestmark = pytest.mark.django_db(transaction=True)

scene = test_tabulation.scene  # the fixture: instructions at two firms
version_row = test_tabulation_cache.version_row  # the data version's row; an empty cache

INSTRUCTIONS = "admin:tenders_instruction_changelist"
# The box of each row, there when the user may run one of the list's actions (submitting to
# the agent needs tenders.change_instruction).
ACTION_BOX = 'class="action-select"'


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="tenders", codename=codename)


def _staff(client: Client, **flags: bool) -> User:
    user = User.objects.create_user("ops-staff", password=None, is_staff=True, **flags)
    client.force_login(user)
    return user


def _rows(client: Client) -> str:
    response = client.get(reverse(INSTRUCTIONS))
    assert response.status_code == 200
    return response.content.decode()


def test_a_permission_taken_from_the_user_is_seen_at_once_in_cached_rows(
    scene: Any, client: Client
) -> None:
    user = _staff(client)
    user.user_permissions.add(_permission("view_instruction"), _permission("change_instruction"))
    assert ACTION_BOX in _rows(client)
    user.user_permissions.remove(_permission("change_instruction"))
    assert ACTION_BOX not in _rows(client)


def test_a_permission_taken_from_the_users_group_is_seen_at_once_in_cached_rows(
    scene: Any, client: Client
) -> None:
    group = Group.objects.create(name="Instruction desk")
    group.permissions.add(_permission("view_instruction"), _permission("change_instruction"))
    _staff(client).groups.add(group)
    assert ACTION_BOX in _rows(client)
    group.permissions.remove(_permission("change_instruction"))
    assert ACTION_BOX not in _rows(client)


def test_a_superuser_status_taken_away_is_seen_at_once_in_cached_rows(
    scene: Any, client: Client
) -> None:
    user = _staff(client, is_superuser=True)
    user.user_permissions.add(_permission("view_instruction"))
    assert ACTION_BOX in _rows(client)
    User.objects.filter(pk=user.pk).update(is_superuser=False)
    assert ACTION_BOX not in _rows(client)


def test_rows_stay_cached_while_the_rights_are_unchanged(
    scene: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[object] = []

    def result_list(cl: Any) -> Any:
        drawn.append(cl)
        return admin_list.result_list(cl)

    monkeypatch.setattr(admin_rows, "result_list", result_list)
    user = _staff(client)
    user.user_permissions.add(_permission("view_instruction"), _permission("change_instruction"))
    _rows(client)
    _rows(client)
    assert len(drawn) == 1
