"""The public side of a competition: the list, the Atom feed, the notice and the tender documents,
for each visitor in the cast. Times are Europe/Oslo with the zone; the time left comes from the
server's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import time_machine
from django.urls import reverse
from django.utils import timezone

from lupin.competitions.models import (
    Answer,
    Competition,
    Criterion,
    CriterionKind,
    QualificationRequirement,
)
from lupin.competitions.tests.conftest import make_competition

LIST = reverse("competitions:list")
FEED = reverse("competitions:feed")
ATOM = "{http://www.w3.org/2005/Atom}"


def detail(competition: Competition) -> str:
    return reverse("competitions:detail", args=[competition.pk])


def download(competition: Competition) -> str:
    document = competition.documents.get()
    return reverse("competitions:document_download", args=[competition.pk, document.pk])


def body(response) -> str:
    return response.content.decode()


# The list and the feed


def test_list_shows_announced_competitions_and_not_drafts(login, buyer, media):
    announced = make_competition(buyer, title="Åpen konkurranse om nattilsyn")
    draft = make_competition(buyer, announce=False, title="Hemmelig utkast til konkurranse")
    for client in (login(None), login(buyer)):
        page = body(client.get(LIST))
        assert announced.title in page
        assert draft.title not in page


def test_list_puts_open_competitions_first_soonest_deadline_on_top(login, buyer, media):
    now = timezone.now()
    later = make_competition(buyer, title="Frist om førtien dager")
    sooner = make_competition(
        buyer,
        title="Frist om førti dager",
        last_answer_at=now + timedelta(days=33),
        tender_deadline=now + timedelta(days=40),
        opening_at=now + timedelta(days=40, minutes=5),
    )
    passed = make_competition(buyer, title="Frist allerede ute")
    Competition.objects.filter(pk=passed.pk).update(
        question_deadline=now - timedelta(days=3),
        last_answer_at=now - timedelta(days=2),
        tender_deadline=now - timedelta(days=1),
        opening_at=now - timedelta(days=1),
    )
    page = body(login(None).get(LIST))
    assert page.index(sooner.title) < page.index(later.title) < page.index(passed.title)
    assert "Open for tenders" in page
    assert "Deadline passed, awaiting opening" in page


def test_list_query_count_does_not_grow_with_competitions(
    login, buyer, media, django_assert_max_num_queries
):
    for n in range(4):
        make_competition(buyer, title=f"Konkurranse {n}")
    client = login(None)
    with django_assert_max_num_queries(4):
        assert client.get(LIST).status_code == 200


def test_feed_lists_announced_competitions_only(client, buyer, media):
    announced = make_competition(buyer, title="I feeden")
    make_competition(buyer, announce=False, title="Ikke i feeden")
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
    titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert titles == [announced.title]
    link = root.find(f"{ATOM}entry/{ATOM}link")
    assert link is not None
    assert str(link.get("href")).endswith(detail(announced))


# The notice


def test_notice_shows_buyer_procedure_rules_criteria_requirements_and_answers(
    login, buyer, competition
):
    price = competition.criteria.get(kind=CriterionKind.PRICE)
    Criterion.objects.create(
        competition=competition,
        parent=competition.criteria.get(kind=CriterionKind.QUALITY),
        name="Brukervennlighet",
        kind=CriterionKind.QUALITY,
        weight=Decimal("12.5"),
    )
    QualificationRequirement.objects.create(
        competition=competition, text="Omsetning over 5 MNOK", documentation="Årsregnskap 2024"
    )
    Answer.objects.create(
        competition=competition,
        question_text="Kan vi levere på engelsk?",
        answer_text="Ja, norsk eller engelsk.",
    )
    page = body(login(None).get(detail(competition)))
    assert "Fjordvik kommune" in page
    assert "Open procedure" in page
    assert "FOA part" in page  # the rules that apply, from the advisor
    assert price.name in page and "40 %" in page
    assert "Brukervennlighet" in page and "12.50 %" in page
    assert "Omsetning over 5 MNOK" in page and "Årsregnskap 2024" in page
    assert "Kan vi levere på engelsk?" in page and "Ja, norsk eller engelsk." in page
    assert "Konkurransegrunnlag" in page


def test_deadline_is_shown_in_oslo_time_with_the_zone(login, buyer, media):
    # 10:00 UTC in January is 11:00 in Oslo (CET); in July it is 12:00 (CEST).
    now = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        competition = make_competition(
            buyer,
            question_deadline=now + timedelta(days=30),
            last_answer_at=now + timedelta(days=34),
            tender_deadline=datetime(2026, 2, 14, 11, 0, tzinfo=UTC),
            opening_at=datetime(2026, 2, 14, 11, 5, tzinfo=UTC),
        )
        page = body(login(None).get(detail(competition)))
    assert "14. February 2026 12:00:00 CET" in page


def test_time_left_is_computed_on_the_server(login, competition):
    deadline = competition.tender_deadline
    with time_machine.travel(deadline - timedelta(days=2, hours=3, minutes=1), tick=False):
        page = body(login(None).get(detail(competition)))
    assert "Time left: 2 days, 3 hours" in page
    assert 'role="timer"' in page


def test_time_left_poll_answers_only_the_fragment(login, competition):
    client = login(None)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "time-left"}
    deadline = competition.tender_deadline
    with time_machine.travel(deadline - timedelta(seconds=90), tick=False):
        fragment_response = client.get(detail(competition), **headers)
    fragment = body(fragment_response)
    assert fragment.strip().startswith('<p id="time-left"')
    assert "Time left: 1 minute, 30 seconds" in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert "<html" not in fragment
    assert "HX-Target" in fragment_response["Vary"]
    with time_machine.travel(deadline, tick=False):
        fragment = body(client.get(detail(competition), **headers))
    assert "The tender deadline has passed" in fragment
    assert "hx-trigger" not in fragment  # the poll stops


def test_draft_notice_is_not_found_outside_the_project(login, buyer, supplier, rival, media):
    draft = make_competition(buyer, announce=False)
    for user in (None, supplier, rival):
        assert login(user).get(detail(draft)).status_code == 404
    assert login(buyer).get(detail(draft)).status_code == 200


def test_visitors_get_the_controls_that_fit_them(login, buyer, supplier, competition):
    anonymous = body(login(None).get(detail(competition)))
    assert "Log in as a supplier" in anonymous
    as_supplier = body(login(supplier).get(detail(competition)))
    assert reverse("competitions:follow", args=[competition.pk]) in as_supplier
    assert reverse("competitions:tender", args=[competition.pk]) in as_supplier
    assert reverse("competitions:ask", args=[competition.pk]) in as_supplier
    as_buyer = body(login(buyer).get(detail(competition)))
    assert reverse("competitions:manage", args=[competition.pk]) in as_buyer
    assert reverse("competitions:tender", args=[competition.pk]) not in as_buyer


# Tender documents


def test_anyone_downloads_the_tender_documents_without_logging_in(login, competition):
    response = login(None).get(download(competition))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 grunnlag"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_draft_documents_are_not_found_outside_the_project(login, buyer, supplier, media):
    draft = make_competition(buyer, announce=False)
    for user in (None, supplier):
        assert login(user).get(download(draft)).status_code == 404
    assert login(buyer).get(download(draft)).status_code == 200


def test_a_document_of_another_competition_is_not_found(login, buyer, competition):
    other = make_competition(buyer, title="En annen konkurranse")
    wrong = reverse(
        "competitions:document_download",
        args=[competition.pk, other.documents.get().pk],
    )
    assert login(None).get(wrong).status_code == 404
