"""`lupin audit verify` finds rows edited or deleted behind the application's back."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lupin.accounts.models import User
from lupin.audit import log
from lupin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table


def _entries(actor: User, count: int = 6) -> None:
    for number in range(1, count + 1):
        log.append(actor, "tender.submitted", ("competitions.tender", number), price_ore=number)


def _sql(statement: str, params: list[Any], column: str = "") -> None:
    """Change the table directly, as someone with database access would (save() never runs).
    `{json}` in the statement is a parameter for the JSON column."""
    json_parameter = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            statement.format(table=quote(TABLE), json=json_parameter, column=quote(column)), params
        )


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _json(value: object) -> str:
    return json.dumps(value)


def test_an_intact_chain_passes(buyer: User) -> None:
    _entries(buyer)
    head = AuditEntry.objects.get(seq=6).hash
    assert _verify() == f"6 entries, chain intact. Head: {head}\n"


def test_editing_a_row_fails_verify_at_that_row(buyer: User) -> None:
    _entries(buyer)
    _sql("UPDATE {table} SET detail = {json} WHERE seq = %s", [_json({"price_ore": 1}), 3])

    with pytest.raises(CommandError, match=r"^broken at entry #3: its content does not match") as e:
        _verify()
    assert e.value.returncode == 1
    assert log.verify().checked == 2


def test_editing_a_row_and_its_hash_fails_at_the_next_row(buyer: User) -> None:
    _entries(buyer)
    forged = AuditEntry.objects.get(seq=3)
    forged.detail = {"price_ore": 1}
    _sql("UPDATE {table} SET hash = %s WHERE seq = 3", [forged.compute_hash()])
    _sql("UPDATE {table} SET detail = {json} WHERE seq = 3", [_json(forged.detail)])

    with pytest.raises(CommandError, match=r"^broken at entry #4: it does not follow entry #3"):
        _verify()


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "tender.withdrawn"), ("actor_username", "rival"), ("subject_id", "99")],
)
def test_editing_any_column_fails(buyer: User, column: str, value: str) -> None:
    _entries(buyer)
    _sql("UPDATE {table} SET {column} = %s WHERE seq = 5", [value], column)
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, 5)


def test_moving_a_row_in_time_fails(buyer: User) -> None:
    _entries(buyer)
    earlier = AuditEntry.objects.get(seq=2).at
    _sql("UPDATE {table} SET at = %s WHERE seq = 4", [earlier])
    assert log.verify().first_broken_seq == 4


def test_deleting_a_middle_row_is_detected(buyer: User) -> None:
    _entries(buyer)
    _sql("DELETE FROM {table} WHERE seq = %s", [4])

    with pytest.raises(CommandError, match=r"^broken at entry #5: the entries before it \(#4\)"):
        _verify()


def test_deleting_the_first_rows_is_detected(buyer: User) -> None:
    _entries(buyer)
    _sql("DELETE FROM {table} WHERE seq <= %s", [2])
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, 3)
    assert "#1–#2" in result.reason


def test_tail_prints_the_last_entries(buyer: User) -> None:
    _entries(buyer)
    out = StringIO()
    call_command("audit", "tail", "-n", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("#5  ")
    assert "buyer  tender.submitted  competitions.tender:5" in lines[0]
    assert lines[1].endswith('{"price_ore": 6}')
