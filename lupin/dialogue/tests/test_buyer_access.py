"""Who may reach the buyer's dialogue pages: every write URL is checked for every role.

Changes: the lead buyer's admins and members only. Reading the dashboard: every insider (the lead
buyer's people, accepted co-buyers, programme advisors). Everyone else gets 404, as if the dialogue
did not exist; anonymous visitors are sent to log in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lupin.dialogue import actions
from lupin.dialogue.actions import ConferenceData
from lupin.dialogue.models import (
    Answer,
    Conference,
    Dialogue,
    DialogueStatus,
    Material,
    Minutes,
    QuestionStatus,
    Slot,
)
from lupin.dialogue.tests.conftest import make_dialogue, pdf
from lupin.projects import actions as project_actions

OUTSIDERS = ["evaluator", "cobuyer", "advisor", "supplier", "rival"]
INSIDERS = ["buyer", "buyer_colleague", "evaluator", "cobuyer", "advisor"]


@pytest.fixture
def accepted_cobuyer(buyer, cobuyer, dialogue):
    """Co-buyers are insiders: they read everything, but change nothing."""
    invitation = project_actions.invite_cobuyer(buyer, dialogue.project, cobuyer.organisation)
    project_actions.answer_invitation(cobuyer, invitation, accept=True)
    return cobuyer


@pytest.fixture
def world(buyer, supplier, rival, dialogue, slots, media, accepted_cobuyer):
    """A running dialogue with something behind every buyer URL."""
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    start = timezone.now() + timedelta(days=8)
    conference = actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Konferanse",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Rådhuset",
        ),
    )
    question = actions.ask_question(supplier, dialogue, "Hemmelig spørsmål fra Nordlys?")
    answer = actions.publish_clarification(buyer, dialogue, question_text="Q", answer_text="A")
    booking = actions.book_slot(supplier, slots[0])
    item = actions.submit_input(supplier, dialogue, title="Innspill", upload=pdf("innspill.pdf"))
    return {
        "dialogue": dialogue,
        "conference": conference,
        "question": question,
        "answer": answer,
        "booking": booking,
        "slot": slots[1],
        "input": item,
    }


def _write_urls(world) -> list[tuple[str, str, dict]]:
    """(method, url, data) for every write the buyer's pages offer."""
    d = world["dialogue"]
    pk = d.pk
    start = (timezone.now() + timedelta(days=15)).strftime("%Y-%m-%dT%H:%M")
    answer_data = {"question_text": "Q?", "answer_text": "A."}
    return [
        ("get", reverse("dialogue:create", args=[d.project_id]), {}),
        ("post", reverse("dialogue:create", args=[d.project_id]), {}),
        ("get", reverse("dialogue:edit", args=[pk]), {}),
        ("post", reverse("dialogue:edit", args=[pk]), {"title": "Kapret"}),
        ("post", reverse("dialogue:publish", args=[pk]), {}),
        ("post", reverse("dialogue:finish", args=[pk]), {}),
        ("get", reverse("dialogue:cancel", args=[pk]), {}),
        ("post", reverse("dialogue:cancel", args=[pk]), {"reason": "Kapret"}),
        ("get", reverse("dialogue:conference_add", args=[pk]), {}),
        ("post", reverse("dialogue:conference_add", args=[pk]), {}),
        ("get", reverse("dialogue:conference_edit", args=[pk, world["conference"].pk]), {}),
        ("post", reverse("dialogue:conference_edit", args=[pk, world["conference"].pk]), {}),
        ("get", reverse("dialogue:material_add", args=[pk]), {}),
        ("post", reverse("dialogue:material_add", args=[pk]), {"file": pdf()}),
        ("get", reverse("dialogue:slots", args=[pk]), {}),
        ("post", reverse("dialogue:slots", args=[pk]), {"first_start": start, "count": "2"}),
        ("post", reverse("dialogue:slot_delete", args=[pk, world["slot"].pk]), {}),
        ("post", reverse("dialogue:draw", args=[pk]), {}),
        ("get", reverse("dialogue:answer", args=[pk, world["question"].pk]), {}),
        ("post", reverse("dialogue:answer", args=[pk, world["question"].pk]), answer_data),
        (
            "post",
            reverse("dialogue:duplicate", args=[pk, world["question"].pk]),
            {f"q{world['question'].pk}-answer": world["answer"].pk},
        ),
        ("get", reverse("dialogue:clarification", args=[pk]), {}),
        ("post", reverse("dialogue:clarification", args=[pk]), answer_data),
        ("get", reverse("dialogue:minutes", args=[pk, world["booking"].pk]), {}),
        (
            "post",
            reverse("dialogue:minutes", args=[pk, world["booking"].pk]),
            {"text": "Kapret"},
        ),
    ]


def _snapshot(dialogue: Dialogue) -> tuple:
    dialogue.refresh_from_db()
    return (
        dialogue.title,
        dialogue.status,
        Answer.objects.count(),
        Conference.objects.count(),
        Material.objects.count(),
        Slot.objects.count(),
        Minutes.objects.count(),
        dialogue.questions.filter(status=QuestionStatus.OPEN).count(),
        dialogue.project.events.count(),
    )


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_for_every_write_url_and_change_nothing(request, login, world, role):
    client = login(request.getfixturevalue(role))
    before = _snapshot(world["dialogue"])
    for method, url, data in _write_urls(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (role, method, url)
    assert _snapshot(world["dialogue"]) == before


def test_anonymous_visitors_are_sent_to_log_in_for_every_write_url(login, world):
    client = login(None)
    before = _snapshot(world["dialogue"])
    for method, url, data in _write_urls(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("accounts:login")), url
    assert _snapshot(world["dialogue"]) == before


@pytest.mark.parametrize("role", ["buyer", "buyer_colleague"])
def test_the_lead_buyers_people_reach_every_write_page(request, login, world, role):
    client = login(request.getfixturevalue(role))
    for method, url, _data in _write_urls(world):
        if method == "get":
            assert client.get(url).status_code in (200, 302), url


@pytest.mark.parametrize("role", INSIDERS)
def test_insiders_can_read_manage(request, login, world, role):
    response = login(request.getfixturevalue(role)).get(
        reverse("dialogue:manage", args=[world["dialogue"].pk])
    )
    assert response.status_code == 200
    assert "Hemmelig spørsmål fra Nordlys?" in response.content.decode()


@pytest.mark.parametrize("role", ["evaluator", "cobuyer", "advisor"])
def test_read_only_insiders_see_no_write_controls(request, login, world, role):
    dialogue = world["dialogue"]
    html = (
        login(request.getfixturevalue(role))
        .get(reverse("dialogue:manage", args=[dialogue.pk]))
        .content.decode()
    )
    assert "only the lead buyer's people can change" in html
    for name in ("edit", "publish", "finish", "cancel", "slots", "material_add"):
        assert reverse(f"dialogue:{name}", args=[dialogue.pk]) not in html
    assert reverse("dialogue:answer", args=[dialogue.pk, world["question"].pk]) not in html


@pytest.mark.parametrize("role", INSIDERS)
def test_insiders_can_download_written_input(request, login, world, role):
    url = reverse("dialogue:input_download", args=[world["dialogue"].pk, world["input"].pk])
    assert login(request.getfixturevalue(role)).get(url).status_code == 200


@pytest.mark.parametrize("role", ["supplier", "rival"])
def test_suppliers_get_404_on_manage_and_input_download(request, login, world, role):
    client = login(request.getfixturevalue(role))
    dialogue = world["dialogue"]
    assert client.get(reverse("dialogue:manage", args=[dialogue.pk])).status_code == 404
    url = reverse("dialogue:input_download", args=[dialogue.pk, world["input"].pk])
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_log_in_for_manage_and_input_download(login, world):
    client = login(None)
    dialogue = world["dialogue"]
    for url in (
        reverse("dialogue:manage", args=[dialogue.pk]),
        reverse("dialogue:input_download", args=[dialogue.pk, world["input"].pk]),
    ):
        assert client.get(url).status_code == 302


def test_a_cobuyer_that_has_not_accepted_is_an_outsider(login, buyer, cobuyer):
    dialogue = make_dialogue(buyer, publish=False)
    project_actions.invite_cobuyer(buyer, dialogue.project, cobuyer.organisation)
    response = login(cobuyer).get(reverse("dialogue:manage", args=[dialogue.pk]))
    assert response.status_code == 404


def test_a_draft_dialogue_is_hidden_from_suppliers(login, buyer, rival):
    dialogue = make_dialogue(buyer, publish=False)
    assert dialogue.status == DialogueStatus.DRAFT
    response = login(rival).get(reverse("dialogue:manage", args=[dialogue.pk]))
    assert response.status_code == 404


def test_objects_of_another_dialogue_are_not_reachable_through_this_one(login, buyer, world):
    other = make_dialogue(buyer)
    client = login(buyer)
    question = world["question"]
    url = reverse("dialogue:answer", args=[other.pk, question.pk])
    assert client.get(url).status_code == 404
    url = reverse("dialogue:minutes", args=[other.pk, world["booking"].pk])
    assert client.get(url).status_code == 404
    url = reverse("dialogue:input_download", args=[other.pk, world["input"].pk])
    assert client.get(url).status_code == 404
