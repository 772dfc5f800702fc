"""The dialogue endpoints of /api/v1/, for each role that must and must not reach them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from lupin.accounts.actions import create_api_token
from lupin.accounts.models import User
from lupin.dialogue import actions
from lupin.dialogue.actions import ConferenceData
from lupin.dialogue.models import (
    Booking,
    Dialogue,
    DialogueStatus,
    Language,
    MeetingMode,
    Question,
    QuestionStatus,
    Registration,
    Slot,
)
from lupin.dialogue.tests.conftest import make_dialogue

LIST = "/api/v1/dialogues"
JSON = "application/json"


def url(dialogue: Dialogue | int, rest: str = "") -> str:
    pk = dialogue if isinstance(dialogue, int) else dialogue.pk
    return f"/api/v1/dialogues/{pk}{rest}"


def booking_url(dialogue: Dialogue, slot: Slot | int) -> str:
    pk = slot if isinstance(slot, int) else slot.pk
    return url(dialogue, f"/slots/{pk}/booking")


def bearer(user: User) -> dict[str, Any]:
    _, raw = create_api_token(user, user, "test integration")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, path: str, headers: dict[str, Any], body: Any = None) -> Any:
    return client.post(path, {} if body is None else body, content_type=JSON, **headers)


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    """Every failure has the one error format: {"error": {"code", "message"[, "fields"]}}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert set(body["error"]) <= {"code", "message", "fields"}
    if field is not None:
        assert field in body["error"]["fields"], body


@pytest.fixture
def as_supplier(supplier: User) -> dict[str, Any]:
    return bearer(supplier)


@pytest.fixture
def as_rival(rival: User) -> dict[str, Any]:
    return bearer(rival)


@pytest.fixture
def registered(dialogue: Dialogue, supplier: User, rival: User) -> Dialogue:
    """Both suppliers registered."""
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    return dialogue


@pytest.fixture
def conference(buyer: User, dialogue: Dialogue) -> Any:
    start = timezone.now() + timedelta(days=5)
    return actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Dialogkonferanse",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="Fjordvik rådhus, sal 2",
            video_link="https://video.example/fjordvik",
        ),
    )


# The notice


def test_anonymous_lists_published_dialogues_but_not_drafts(client: Client, buyer, dialogue):
    draft = make_dialogue(buyer, publish=False)
    response = client.get(LIST)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [dialogue.pk]
    assert response.json()["count"] == 1
    assert client.get(url(dialogue)).status_code == 200
    assert_error(client.get(url(draft)), 404, "not_found")


def test_the_buyer_reads_its_draft_but_the_list_shows_published_only(client: Client, buyer):
    draft = make_dialogue(buyer, publish=False)
    headers = bearer(buyer)
    assert client.get(LIST, **headers).json()["items"] == []
    response = client.get(url(draft), **headers)
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_rival_does_not_see_a_draft(client: Client, buyer, as_rival):
    draft = make_dialogue(buyer, publish=False)
    assert_error(client.get(url(draft), **as_rival), 404, "not_found")


def test_list_pages_with_limit_and_offset(client: Client, buyer, buyer_org):
    for _ in range(3):
        make_dialogue(buyer)
    first = client.get(LIST, {"limit": 2}).json()
    second = client.get(LIST, {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 3
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert_error(client.get(LIST, {"limit": 0}), 422, "invalid", field="limit")


def test_list_has_no_n_plus_one(
    client: Client, buyer, supplier, as_supplier, django_assert_max_num_queries
):
    for _ in range(4):
        dialogue = make_dialogue(buyer)
        actions.register(supplier, dialogue)
    # Token lookup, count, page, conferences, registrations.
    with django_assert_max_num_queries(6):
        response = client.get(LIST, **as_supplier)
    assert all(item["registered"] for item in response.json()["items"])


def test_notice_shape_with_times_in_utc(client: Client, buyer_org, dialogue, conference):
    item = client.get(url(dialogue)).json()
    assert item["id"] == dialogue.pk
    assert item["title"] == dialogue.title
    assert item["project"] == dialogue.project_id
    assert item["buyer"] == {
        "id": buyer_org.pk,
        "name": buyer_org.name,
        "org_number": buyer_org.org_number,
    }
    assert item["need_summary"] == dialogue.need_summary
    assert item["asks"] == dialogue.asks
    assert item["language"] == "nb"
    assert item["status"] == "published"
    assert item["contact"] == {"name": "Ingrid Fjeld", "email": "ingrid.fjeld@fjordvik.example"}
    assert item["meetings"] == {
        "mode": "first_come",
        "length_minutes": 60,
        "break_minutes": 15,
        "booking_cutoff": item["meetings"]["booking_cutoff"],
    }
    assert item["registered"] is False
    assert item["url"] == f"/dialogues/{dialogue.pk}/"
    times = [
        item["published_at"],
        item["meetings"]["booking_cutoff"],
        *item["deadlines"].values(),
        item["conferences"][0]["starts_at"],
        item["conferences"][0]["ends_at"],
    ]
    assert set(item["deadlines"]) == {"registration", "questions", "written_input"}
    for value in times:
        assert value.endswith("Z") or value.endswith("+00:00"), value
    [listed] = client.get(LIST).json()["items"]
    assert listed == item


def test_registered_flag_is_for_the_callers_organisation(
    client: Client, dialogue, conference, supplier, as_supplier, as_rival
):
    actions.register(supplier, dialogue)
    assert client.get(url(dialogue), **as_supplier).json()["registered"] is True
    assert client.get(url(dialogue), **as_rival).json()["registered"] is False
    [public] = client.get(url(dialogue)).json()["conferences"]
    # The same public facts as the notice page and its .ics file.
    assert public["place"] == "Fjordvik rådhus, sal 2"
    assert public["video_link"] == "https://video.example/fjordvik"
    assert public["seats_per_organisation"] == 2


# Registration


def test_supplier_registers_once_and_a_second_time_is_a_conflict(
    client: Client, dialogue, supplier_org, as_supplier
):
    response = post(client, url(dialogue, "/registrations"), as_supplier)
    assert response.status_code == 201, response.content
    registration = Registration.objects.get(dialogue=dialogue, organisation=supplier_org)
    assert response.json()["id"] == registration.pk
    assert response.json()["registered_at"].endswith(("Z", "+00:00"))
    again = post(client, url(dialogue, "/registrations"), as_supplier)
    assert_error(again, 409, "already_registered")
    assert Registration.objects.filter(dialogue=dialogue).count() == 1


def test_buyer_cannot_register(client: Client, dialogue, cobuyer):
    assert_error(post(client, url(dialogue, "/registrations"), bearer(cobuyer)), 400, "refused")


def test_registration_after_the_deadline_is_refused(client: Client, dialogue, as_supplier):
    with time_machine.travel(dialogue.registration_deadline + timedelta(minutes=1)):
        response = post(client, url(dialogue, "/registrations"), as_supplier)
    assert_error(response, 400, "refused")
    assert not Registration.objects.exists()


def test_registering_for_a_draft_is_404(client: Client, buyer, as_supplier):
    draft = make_dialogue(buyer, publish=False)
    assert_error(post(client, url(draft, "/registrations"), as_supplier), 404, "not_found")


# Slots and bookings


def test_slots_are_404_for_anyone_not_registered_or_inside(
    client: Client, dialogue, slots, as_supplier, rival, supplier
):
    actions.register(rival, dialogue)
    assert_error(client.get(url(dialogue, "/slots")), 404, "not_found")
    assert_error(client.get(url(dialogue, "/slots"), **as_supplier), 404, "not_found")


def test_registered_supplier_and_insiders_see_the_slots(
    client: Client, registered, slots, as_supplier, buyer, advisor
):
    for headers in (as_supplier, bearer(buyer), bearer(advisor)):
        response = client.get(url(registered, "/slots"), **headers)
        assert response.status_code == 200
        body = response.json()
        assert [s["id"] for s in body] == [s.pk for s in slots]
        assert all(s["free"] and not s["mine"] for s in body)
        assert set(body[0]) == {"id", "start", "end", "place", "free", "mine"}
        assert body[0]["start"].endswith(("Z", "+00:00"))


def test_supplier_books_and_rival_sees_the_slot_taken_but_not_by_whom(
    client: Client, registered, slots, supplier_org, as_supplier, as_rival
):
    response = post(client, booking_url(registered, slots[0]), as_supplier)
    assert response.status_code == 201, response.content
    assert response.json()["slot"] == slots[0].pk
    assert Booking.objects.get(slot=slots[0]).organisation == supplier_org

    mine = client.get(url(registered, "/slots"), **as_supplier).json()
    assert (mine[0]["free"], mine[0]["mine"]) == (False, True)
    theirs = client.get(url(registered, "/slots"), **as_rival)
    assert [(s["free"], s["mine"]) for s in theirs.json()] == [
        (False, False),
        (True, False),
        (True, False),
    ]
    content = theirs.content.decode()
    assert supplier_org.name not in content
    assert "organisation" not in content
    assert "booked" not in content


def test_double_booking_is_a_conflict(client: Client, registered, slots, as_supplier, as_rival):
    assert post(client, booking_url(registered, slots[0]), as_supplier).status_code == 201
    assert_error(post(client, booking_url(registered, slots[0]), as_rival), 409, "slot_taken")
    assert_error(
        post(client, booking_url(registered, slots[1]), as_supplier), 409, "already_booked"
    )
    assert Booking.objects.count() == 1


def test_booking_after_the_cutoff_is_refused(client: Client, registered, slots, as_supplier):
    assert registered.booking_cutoff is not None
    with time_machine.travel(registered.booking_cutoff + timedelta(minutes=1)):
        response = post(client, booking_url(registered, slots[0]), as_supplier)
    assert_error(response, 400, "cutoff_passed")
    assert not Booking.objects.exists()


def test_unregistered_supplier_cannot_book(client: Client, dialogue, slots, as_supplier):
    assert_error(post(client, booking_url(dialogue, slots[0]), as_supplier), 400, "refused")
    assert not Booking.objects.exists()


def test_booking_a_slot_of_another_dialogue_is_404(
    client: Client, buyer, registered, slots, as_supplier
):
    other = make_dialogue(buyer)
    assert_error(post(client, booking_url(other, slots[0]), as_supplier), 404, "not_found")
    assert_error(post(client, booking_url(registered, 999_999), as_supplier), 404, "not_found")


def test_supplier_cancels_its_booking(client: Client, registered, slots, as_supplier):
    post(client, booking_url(registered, slots[0]), as_supplier)
    response = client.delete(booking_url(registered, slots[0]), **as_supplier)
    assert response.status_code == 204
    assert response.content == b""
    assert not Booking.objects.exists()
    assert post(client, booking_url(registered, slots[1]), as_supplier).status_code == 201


def test_cancelling_another_slot_or_another_organisations_booking_is_404(
    client: Client, registered, slots, as_supplier, as_rival, buyer
):
    post(client, booking_url(registered, slots[0]), as_supplier)
    assert_error(client.delete(booking_url(registered, slots[1]), **as_supplier), 404, "not_found")
    for headers in (as_rival, bearer(buyer)):
        response = client.delete(booking_url(registered, slots[0]), **headers)
        assert_error(response, 404, "not_found")
    assert Booking.objects.count() == 1


def test_cancelling_after_the_cutoff_is_refused(client: Client, registered, slots, as_supplier):
    post(client, booking_url(registered, slots[0]), as_supplier)
    assert registered.booking_cutoff is not None
    with time_machine.travel(registered.booking_cutoff + timedelta(minutes=1)):
        response = client.delete(booking_url(registered, slots[0]), **as_supplier)
    assert_error(response, 400, "cutoff_passed")
    assert Booking.objects.count() == 1


def test_lottery_dialogue_refuses_direct_booking(client: Client, buyer, supplier, as_supplier):
    dialogue = make_dialogue(buyer, meeting_mode=MeetingMode.LOTTERY)
    [slot] = actions.add_slots(
        buyer, dialogue, first_start=timezone.now() + timedelta(days=12), count=1
    )
    actions.register(supplier, dialogue)
    assert_error(post(client, booking_url(dialogue, slot), as_supplier), 400, "refused")


# Questions and answers


def test_supplier_asks_a_question(client: Client, registered, supplier_org, as_supplier):
    response = post(client, url(registered, "/questions"), as_supplier, {"text": "  Budsjett? "})
    assert response.status_code == 201, response.content
    question = Question.objects.get()
    assert response.json() == {"id": question.pk, "status": "open"}
    assert question.text == "Budsjett?"
    assert question.organisation == supplier_org


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "   "}, {"text": None}])
def test_question_without_text_is_422_with_the_field(client: Client, registered, as_supplier, body):
    response = post(client, url(registered, "/questions"), as_supplier, body)
    assert_error(response, 422, "invalid", field="text")
    assert not Question.objects.exists()


def test_question_after_the_deadline_is_refused(client: Client, registered, as_supplier):
    with time_machine.travel(registered.question_deadline + timedelta(minutes=1)):
        response = post(client, url(registered, "/questions"), as_supplier, {"text": "Sent?"})
    assert_error(response, 400, "refused", field="text")
    assert not Question.objects.exists()


def test_unregistered_supplier_cannot_ask(client: Client, dialogue, as_supplier):
    response = post(client, url(dialogue, "/questions"), as_supplier, {"text": "Hei?"})
    assert_error(response, 400, "refused")


def test_answers_for_registered_suppliers_and_insiders_without_the_asker(
    client: Client, buyer, advisor, registered, supplier, supplier_org, as_rival
):
    question = actions.ask_question(supplier, registered, "Nordlys lurer på budsjettet?")
    answer = actions.answer_question(
        buyer, question, question_text="Hva er budsjettet?", answer_text="Om lag 2 MNOK."
    )
    for headers in (as_rival, bearer(buyer), bearer(advisor)):
        response = client.get(url(registered, "/answers"), **headers)
        assert response.status_code == 200
        assert response.json() == [
            {
                "id": answer.pk,
                "question": "Hva er budsjettet?",
                "answer": "Om lag 2 MNOK.",
                "published_at": response.json()[0]["published_at"],
            }
        ]
        assert supplier_org.name not in response.content.decode()
        assert "Nordlys" not in response.content.decode()
    assert Question.objects.get().status == QuestionStatus.ANSWERED


def test_answers_are_404_for_the_unregistered_and_anonymous(
    client: Client, buyer, dialogue, as_supplier
):
    actions.publish_clarification(buyer, dialogue, question_text="Q?", answer_text="A.")
    assert_error(client.get(url(dialogue, "/answers"), **as_supplier), 404, "not_found")
    assert_error(client.get(url(dialogue, "/answers")), 404, "not_found")


def test_rival_never_sees_an_open_question(client: Client, registered, supplier, as_rival):
    actions.ask_question(supplier, registered, "Hemmelig spørsmål")
    assert client.get(url(registered, "/answers"), **as_rival).json() == []


# Who may write


@pytest.mark.parametrize(
    ("method", "rest", "body"),
    [
        ("post", "/registrations", {}),
        ("post", "/slots/{slot}/booking", {}),
        ("delete", "/slots/{slot}/booking", None),
        ("post", "/questions", {"text": "Hei?"}),
    ],
)
def test_anonymous_writes_are_401(client: Client, registered, slots, method, rest, body):
    path = url(registered, rest.format(slot=slots[0].pk))
    if method == "post":
        response = client.post(path, body, content_type=JSON)
    else:
        response = client.delete(path)
    assert_error(response, 401, "unauthenticated")
    assert not Booking.objects.exists()
    assert not Question.objects.exists()


def test_session_write_without_csrf_is_refused(registered, slots, supplier):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supplier)
    response = client.post(booking_url(registered, slots[0]), {}, content_type=JSON)
    assert_error(response, 403, "http_403")
    assert not Booking.objects.exists()


# OpenAPI


def test_openapi_lists_the_dialogue_paths(client: Client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/dialogues",
        "/api/v1/dialogues/{id}",
        "/api/v1/dialogues/{id}/registrations",
        "/api/v1/dialogues/{id}/slots",
        "/api/v1/dialogues/{id}/slots/{slot_id}/booking",
        "/api/v1/dialogues/{id}/questions",
        "/api/v1/dialogues/{id}/answers",
    } <= set(paths)
    booking = paths["/api/v1/dialogues/{id}/slots/{slot_id}/booking"]
    assert {"post", "delete"} <= set(booking)
    assert "409" in booking["post"]["responses"]
    assert "204" in booking["delete"]["responses"]
    conflict = booking["post"]["responses"]["409"]["content"]["application/json"]["schema"]
    assert conflict["$ref"].endswith("/ErrorOut")
    slot = schema["components"]["schemas"]["SlotOut"]["properties"]
    assert {"id", "start", "end", "free", "mine"} <= set(slot)


def test_openapi_enums_match_the_models(client: Client, db):
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    notice = components["DialogueOut"]["properties"]
    assert set(notice["status"]["enum"]) == set(DialogueStatus.values)
    assert set(notice["language"]["enum"]) == set(Language.values)
    meetings = components["MeetingsOut"]["properties"]
    assert set(meetings["mode"]["enum"]) == set(MeetingMode.values)
    question = components["QuestionOut"]["properties"]
    assert set(question["status"]["enum"]) == set(QuestionStatus.values)
