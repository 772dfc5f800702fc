"""GET /healthz: 200 and a small JSON body when the database answers, 503 when it does not."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings


class DeadConnection:
    def cursor(self) -> None:
        raise DatabaseError("connection refused")


def test_healthz_is_200_when_the_database_answers(client: Client, db: None) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not_answer(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("lupin.health.connection", DeadConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_is_not_redirected_to_https(client: Client, db: None) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
