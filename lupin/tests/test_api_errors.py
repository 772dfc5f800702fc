"""Every API failure answers in one format: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

import pytest
from django.test import Client

from lupin.accounts.actions import create_api_token, revoke_api_token


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"code", "message", "fields"}
    return error


@pytest.mark.parametrize(
    "header",
    ["Bearer lupin_unknown", "Bearer nottoken", "Token lupin_x", "Bearer", "Basic dXNlcg=="],
)
def test_401_for_a_bad_authorization_header(client: Client, db, header):
    error = assert_error(
        client.get("/api/v1/projects", HTTP_AUTHORIZATION=header), 401, "unauthenticated"
    )
    assert "fields" not in error


def test_401_for_a_revoked_token(client: Client, buyer):
    token, raw = create_api_token(buyer, buyer, "integration")
    assert client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    revoke_api_token(buyer, token)
    error = assert_error(
        client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}"), 401, "unauthenticated"
    )
    assert "revoked" in error["message"]


def test_401_for_an_inactive_users_token(client: Client, buyer):
    _, raw = create_api_token(buyer, buyer, "integration")
    buyer.is_active = False
    buyer.save(update_fields=["is_active"])
    assert_error(
        client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}"), 401, "unauthenticated"
    )


def test_404_for_an_unknown_project(client: Client, db):
    error = assert_error(client.get("/api/v1/projects/424242"), 404, "not_found")
    assert "fields" not in error


def test_404_for_a_hidden_draft_says_no_more_than_for_a_missing_id(client, draft_project):
    hidden = client.get(f"/api/v1/projects/{draft_project.pk}")
    missing = client.get("/api/v1/projects/424242")
    assert_error(hidden, 404, "not_found")
    assert hidden.content == missing.content


def test_422_names_each_bad_query_parameter(client: Client, db):
    error = assert_error(
        client.get("/api/v1/projects", {"limit": "abc", "offset": "-3"}), 422, "invalid"
    )
    assert sorted(key.rsplit(".", 1)[-1] for key in error["fields"]) == ["limit", "offset"]
    assert all(isinstance(message, str) and message for message in error["fields"].values())


def test_422_for_a_non_numeric_path_id(client: Client, db):
    error = assert_error(client.get("/api/v1/projects/abc"), 422, "invalid")
    assert [key.rsplit(".", 1)[-1] for key in error["fields"]] == ["id"]


def test_unknown_api_path_answers_404_in_the_common_format(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_answers_405_in_the_common_format(client):
    response = client.delete("/api/v1/projects")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_validation_error_fields_are_named_without_location_prefix(client):
    response = client.get("/api/v1/projects", {"limit": "abc"})
    assert response.status_code == 422
    assert "limit" in response.json()["error"]["fields"]
