"""GET /api/v1/projects and /api/v1/projects/{id}, for each role that must and must not see."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from lupin.accounts.actions import create_api_token, revoke_api_token
from lupin.accounts.models import User
from lupin.conftest import add_benefit, make_project
from lupin.projects import actions
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Project

LIST = "/api/v1/projects"


def detail(project: Project | int) -> str:
    pk = project if isinstance(project, int) else project.pk
    return f"/api/v1/projects/{pk}"


def bearer(user: User) -> dict[str, Any]:
    _, raw = create_api_token(user, user, "test integration")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def listed_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# Who sees what


def test_anonymous_sees_published_projects_only(client: Client, draft_project, published_project):
    response = client.get(LIST)
    assert listed_ids(response) == {published_project.pk}
    assert response.json()["count"] == 1
    assert client.get(detail(published_project)).status_code == 200
    assert client.get(detail(draft_project)).status_code == 404


def test_lead_buyer_token_sees_its_draft(client: Client, buyer, draft_project, published_project):
    headers = bearer(buyer)
    assert listed_ids(client.get(LIST, **headers)) == {draft_project.pk, published_project.pk}
    response = client.get(detail(draft_project), **headers)
    assert response.status_code == 200
    assert response.json()["visibility"] == "draft"


def test_buyer_colleague_token_sees_the_draft(client: Client, buyer_colleague, draft_project):
    headers = bearer(buyer_colleague)
    assert draft_project.pk in listed_ids(client.get(LIST, **headers))


def test_rival_token_does_not_see_the_draft(
    client: Client, rival, draft_project, published_project
):
    headers = bearer(rival)
    assert listed_ids(client.get(LIST, **headers)) == {published_project.pk}
    response = client.get(detail(draft_project), **headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_supplier_token_does_not_see_the_draft(client: Client, supplier, draft_project):
    headers = bearer(supplier)
    assert draft_project.pk not in listed_ids(client.get(LIST, **headers))
    assert client.get(detail(draft_project), **headers).status_code == 404


def test_advisor_token_sees_drafts(client: Client, advisor, draft_project):
    headers = bearer(advisor)
    assert draft_project.pk in listed_ids(client.get(LIST, **headers))
    assert client.get(detail(draft_project), **headers).status_code == 200


def test_cobuyer_sees_the_draft_only_after_accepting(client: Client, buyer, cobuyer, draft_project):
    headers = bearer(cobuyer)
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    assert draft_project.pk not in listed_ids(client.get(LIST, **headers))
    assert client.get(detail(draft_project), **headers).status_code == 404

    actions.answer_invitation(cobuyer, invitation, accept=True)
    assert draft_project.pk in listed_ids(client.get(LIST, **headers))
    assert client.get(detail(draft_project), **headers).status_code == 200


def test_cobuyer_who_declined_does_not_see_the_draft(client: Client, buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    actions.answer_invitation(cobuyer, invitation, accept=False)
    assert client.get(detail(draft_project), **bearer(cobuyer)).status_code == 404


def test_session_user_acts_as_themselves(login, buyer, draft_project):
    assert login(buyer).get(detail(draft_project)).status_code == 200


def test_unknown_id_is_404_in_the_common_format(client: Client, db):
    response = client.get(detail(999999))
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


# Tokens


def test_revoked_token_is_refused_with_401(client: Client, buyer, published_project):
    token, raw = create_api_token(buyer, buyer, "old integration")
    revoke_api_token(buyer, token)
    response = client.get(LIST, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "header", ["Token abc", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "lupin_abc"]
)
def test_malformed_authorization_header_is_refused_with_401(client: Client, db, header):
    response = client.get(LIST, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_unknown_token_is_refused_not_treated_as_anonymous(client: Client, published_project):
    response = client.get(LIST, HTTP_AUTHORIZATION="Bearer lupin_not-a-real-token")
    assert response.status_code == 401


# Paging and filters


@pytest.mark.parametrize("limit", ["0", "1000", "abc", "-1"])
def test_bad_limit_is_422_with_fields(client: Client, db, limit):
    response = client.get(LIST, {"limit": limit})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert [key.rsplit(".", 1)[-1] for key in error["fields"]] == ["limit"]


@pytest.mark.parametrize(
    "params",
    [
        {"offset": "-1"},
        {"offset": "9223372036854775808"},
        {"phase": "planning"},
        {"region": "SE110"},
        {"cpv_division": "7"},
        {"buyer": "0"},
        {"buyer": "99999999999999999999999"},
    ],
)
def test_bad_filters_are_422(client: Client, db, params):
    response = client.get(LIST, params)
    assert response.status_code == 422
    assert [key.rsplit(".", 1)[-1] for key in response.json()["error"]["fields"]] == list(params)


def test_list_pages_with_limit_and_offset(client: Client, buyer):
    projects = []
    for number in range(5):
        project = make_project(buyer, f"Prosjekt {number}")
        projects.append(actions.publish_project(buyer, project))
    newest_first = [p.pk for p in reversed(projects)]

    first = client.get(LIST, {"limit": 2}).json()
    second = client.get(LIST, {"limit": 2, "offset": 2}).json()
    last = client.get(LIST, {"limit": 2, "offset": 4}).json()
    assert first["count"] == second["count"] == last["count"] == 5
    pages = [item["id"] for page in (first, second, last) for item in page["items"]]
    assert pages == newest_first


def test_list_defaults_to_twenty_per_page(client: Client, buyer):
    for number in range(21):
        actions.publish_project(buyer, make_project(buyer, f"Prosjekt {number}"))
    body = client.get(LIST).json()
    assert (len(body["items"]), body["count"]) == (20, 21)
    assert len(client.get(LIST, {"limit": 100}).json()["items"]) == 21


def test_list_filters(client: Client, buyer, cobuyer, published_project):
    other = make_project(cobuyer, "Brøytetjenester med sensorer")
    actions.update_project(
        cobuyer,
        other,
        actions.ProjectData(
            title=other.title,
            need_statement="Veiene må være farbare tidlig om morgenen.",
            nuts_region="NO092",
            cpv_codes=("90620000",),
        ),
    )
    actions.publish_project(cobuyer, other)
    add_benefit(cobuyer, other)
    actions.move_phase(cobuyer, other, Phase.DIALOGUE)

    def ids(**params) -> set[int]:
        return listed_ids(client.get(LIST, params))

    assert ids(phase="dialogue") == {other.pk}
    assert ids(phase="need") == {published_project.pk}
    assert ids(region="NO092") == {other.pk}
    assert ids(cpv_division="90") == {other.pk}
    assert ids(cpv_division="33") == {published_project.pk}
    assert ids(buyer=str(buyer.organisation_id)) == {published_project.pk}
    assert ids(q="farbare") == {other.pk}
    assert ids(q="solberg") == {other.pk}
    assert ids(q="ingen treff her") == set()


def test_list_does_not_repeat_a_project_with_two_codes_in_a_division(client, buyer):
    project = make_project(buyer)  # 33196200 and 72000000
    actions.update_project(
        buyer,
        project,
        actions.ProjectData(
            title=project.title,
            need_statement=project.need_statement,
            cpv_codes=("72000000", "72200000"),
        ),
    )
    actions.publish_project(buyer, project)
    body = client.get(LIST, {"cpv_division": "72"}).json()
    assert [item["id"] for item in body["items"]] == [project.pk]
    assert body["count"] == 1


def test_list_has_no_n_plus_one(client: Client, buyer, cobuyer, django_assert_max_num_queries):
    for number in range(6):
        owner = buyer if number % 2 else cobuyer
        project = make_project(owner, f"Prosjekt {number}")
        add_benefit(owner, project)
        actions.publish_project(owner, project)
    headers = bearer(buyer)
    # Token lookup, count, page, CPV codes (plus at most one last-used write).
    with django_assert_max_num_queries(5):
        response = client.get(LIST, **headers)
    assert len(response.json()["items"]) == 6


def test_detail_has_no_n_plus_one(client: Client, published_project, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get(detail(published_project))
    assert response.status_code == 200


# The shape of a project


def test_list_item_shape(client: Client, buyer, published_project):
    item = client.get(LIST).json()["items"][0]
    assert item == {
        "id": published_project.pk,
        "title": "Velferdsteknologi i hjemmetjenesten",
        "phase": "need",
        "visibility": "published",
        "buyer": {
            "id": buyer.organisation_id,
            "name": "Fjordvik kommune",
            "org_number": "100000113",
        },
        "need_statement": published_project.need_statement,
        "affected_users": "Hjemmeboende eldre, pårørende, nattpatruljen",
        "problem_scenarios": "",
        "desired_effects": "",
        "estimated_value": "2500000.00",
        "currency": "NOK",
        "cpv_codes": [
            {
                "code": "33196200",
                "label_en": "Devices for the disabled",
                "label_nb": "Hjelpemidler til handikappede",
            },
            {
                "code": "72000000",
                "label_en": "IT services: consulting, software development, Internet and support",
                "label_nb": (
                    "Datatjenester: rådgivning, programvareutvikling, internett og systemstøtte"
                ),
            },
        ],
        "nuts_region": "NO0A2",
        "planned_procedure": "undecided",
        "published_at": item["published_at"],
        "updated_at": item["updated_at"],
        "url": f"/projects/{published_project.pk}/",
    }
    assert item["published_at"] and item["updated_at"]


def test_estimated_value_is_a_string_not_a_float(client: Client, buyer):
    project = make_project(buyer)
    project.estimated_value = Decimal("1234567.89")
    project.save(update_fields=["estimated_value"])
    actions.publish_project(buyer, project)
    assert client.get(LIST).json()["items"][0]["estimated_value"] == "1234567.89"
    assert b'"estimated_value": "1234567.89"' in client.get(detail(project)).content


def test_times_are_iso_8601_in_utc(client: Client, published_project):
    item = client.get(detail(published_project)).json()
    for key in ("published_at", "updated_at"):
        assert item[key].endswith("Z") or item[key].endswith("+00:00"), item[key]


def test_detail_has_benefits_and_timeline(client: Client, buyer, published_project):
    actions.move_phase(buyer, published_project, Phase.DIALOGUE, reason="Klar for dialog")
    body = client.get(detail(published_project)).json()
    assert body["phase"] == "dialogue"
    assert body["benefits"] == [
        {
            "category": "process_hours",
            "description": "Færre unødvendige nattbesøk",
            "baseline": "120.00",
            "target": "60.00",
            "unit": "besøk per uke",
            "yearly_value": "900000.00",
            "owner": "Leder hjemmetjenesten",
        }
    ]
    [move] = body["timeline"]
    assert (move["from"], move["to"], move["reason"]) == ("need", "dialogue", "Klar for dialog")
    assert move["at"].endswith("Z") or move["at"].endswith("+00:00")


# Internal notes


@pytest.fixture
def project_with_notes(buyer, published_project) -> Project:
    published_project.internal_notes = "Budsjettet er ikke vedtatt ennå"
    published_project.save(update_fields=["internal_notes"])
    return published_project


def test_internal_notes_are_hidden_from_public_callers(client: Client, project_with_notes):
    response = client.get(detail(project_with_notes))
    assert response.json()["internal_notes"] is None
    assert b"Budsjettet er ikke" not in response.content
    assert b"Budsjettet er ikke" not in client.get(LIST).content


def test_internal_notes_are_hidden_from_a_rival(client: Client, rival, project_with_notes):
    response = client.get(detail(project_with_notes), **bearer(rival))
    assert response.json()["internal_notes"] is None


def test_internal_notes_are_shown_to_insiders(client: Client, buyer, project_with_notes, advisor):
    for user in (buyer, advisor):
        body = client.get(detail(project_with_notes), **bearer(user)).json()
        assert body["internal_notes"] == "Budsjettet er ikke vedtatt ennå"


def test_internal_notes_never_appear_in_the_list(client: Client, buyer, project_with_notes):
    response = client.get(LIST, **bearer(buyer))
    assert "internal_notes" not in response.json()["items"][0]
    assert b"Budsjettet er ikke" not in response.content


# OpenAPI and docs


def test_openapi_lists_both_paths_with_typed_responses(client: Client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/projects", "/api/v1/projects/{id}"} <= set(schema["paths"])
    list_200 = schema["paths"]["/api/v1/projects"]["get"]["responses"]["200"]
    assert list_200["content"]["application/json"]["schema"]["$ref"].endswith("/ProjectPage")
    detail_responses = schema["paths"]["/api/v1/projects/{id}"]["get"]["responses"]
    assert detail_responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorOut"
    )
    project = schema["components"]["schemas"]["ProjectDetailOut"]["properties"]
    assert {"benefits", "timeline", "internal_notes", "estimated_value"} <= set(project)
    assert {"type": "string"} in project["estimated_value"]["anyOf"] or any(
        option.get("type") == "string" for option in project["estimated_value"]["anyOf"]
    )


def test_openapi_phase_enum_matches_the_lifecycle(client: Client, db):
    schema = client.get("/api/v1/openapi.json").json()
    phases = schema["components"]["schemas"]["ProjectOut"]["properties"]["phase"]["enum"]
    assert set(phases) == set(Phase.values)


def test_docs_page_loads_without_a_cdn(client: Client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html and "http://" not in html
    assert finders.find("ninja/swagger-ui-bundle.js")
    assert finders.find("ninja/swagger-ui.css")
