"""The account list's search is answered by trigram indexes on PostgreSQL (migration 0023):
the index expressions must be the ones Django writes for "contains", or they go unused."""

from typing import Any

import pytest
from django.db import connection

from tenders.instructions.selectors import account_keys, account_rows

pytestmark = pytest.mark.django_db


def plan(queryset: Any) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL")
def test_a_search_reads_the_number_and_owner_trigram_indexes(account, offer, rep) -> None:
    text = plan(account_keys(user=rep, offer=offer, search="Whitfield"))
    rows = account_rows(user=rep, offer=offer, search="Whitfield")
    assert "tenders_clientaccount_number_trgm" in text, text
    assert "tenders_accountowner_name_trgm" in text, text
    assert [row.account_number for row in rows] == ["HB-100003"]


def test_a_search_by_number_finds_the_account(account, offer, rep) -> None:
    rows = account_rows(user=rep, offer=offer, search="b-1000")
    assert [row.account_number for row in rows] == ["HB-100003"]
