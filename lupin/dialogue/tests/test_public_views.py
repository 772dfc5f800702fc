"""The public side of a market dialogue: the list, the Atom feed, the notice and the lottery
record, for each visitor in the cast."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree

import time_machine
from django.urls import reverse
from django.utils import timezone

from lupin.dialogue import actions
from lupin.dialogue.actions import ConferenceData
from lupin.dialogue.models import Dialogue
from lupin.dialogue.tests.conftest import make_dialogue
from lupin.lib import lottery

LIST = reverse("dialogue:list")
FEED = reverse("dialogue:feed")
ATOM = "{http://www.w3.org/2005/Atom}"


def detail(dialogue: Dialogue) -> str:
    return reverse("dialogue:detail", args=[dialogue.pk])


def body(response) -> str:
    return response.content.decode()


# The list


def test_list_shows_published_dialogues_and_not_drafts(login, buyer):
    published = make_dialogue(buyer, title="Åpen dialog om nattilsyn")
    draft = make_dialogue(buyer, publish=False, title="Hemmelig utkast til dialog")
    for client in (login(None), login(buyer)):
        page = body(client.get(LIST))
        assert published.title in page
        assert draft.title not in page


def test_list_puts_open_dialogues_first_soonest_deadline_on_top(login, buyer):
    now = timezone.now()
    later = make_dialogue(buyer, title="Frist om tjue dager")
    sooner = make_dialogue(
        buyer, title="Frist om fem dager", registration_deadline=now + timedelta(days=5)
    )
    closed = make_dialogue(
        buyer, title="Frist om to dager", registration_deadline=now + timedelta(days=2)
    )
    with time_machine.travel(now + timedelta(days=3)):
        page = body(login(None).get(LIST))
    assert page.index(sooner.title) < page.index(later.title) < page.index(closed.title)
    assert "Registration closed" in page
    assert "Open for registration" in page


def test_list_shows_buyer_deadline_in_oslo_time_with_zone(login, buyer):
    make_dialogue(
        buyer,
        registration_deadline=timezone.now().replace(
            year=timezone.now().year + 1, month=1, day=15, hour=11, minute=0, second=0
        ),
    )
    page = body(login(None).get(LIST))
    assert "Fjordvik kommune" in page
    assert "15. January" in page
    assert "12:00 CET" in page


def test_list_links_the_atom_feed_in_the_head(login, buyer):
    page = body(login(None).get(LIST))
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert f'href="{FEED}"' in page


def test_list_query_count_does_not_grow_with_dialogues(
    login, buyer, supplier, django_assert_max_num_queries
):
    client = login(supplier)
    make_dialogue(buyer)
    client.get(LIST)
    with django_assert_max_num_queries(6) as few:
        client.get(LIST)
    for number in range(8):
        make_dialogue(buyer, title=f"Dialog {number}", publish=number % 3 != 0)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


# The feed


def test_feed_lists_published_dialogues_newest_first_and_not_drafts(login, buyer):
    first = make_dialogue(buyer, title="Den første dialogen")
    second = make_dialogue(buyer, title="Den andre dialogen")
    draft = make_dialogue(buyer, publish=False, title="Et utkast ingen skal se")
    response = login(buyer).get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
    entries = root.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == [second.title, first.title]
    assert draft.title not in body(response)
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert str(link.get("href")).endswith(detail(second))
    assert entries[0].findtext(f"{ATOM}summary") == second.need_summary
    second.refresh_from_db()
    assert second.published_at is not None
    assert entries[0].findtext(f"{ATOM}published") == second.published_at.isoformat()


# The notice


def test_anonymous_visitor_reads_the_notice(login, buyer, dialogue):
    actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Dialogkonferanse i rådhuset",
            starts_at=timezone.now() + timedelta(days=5),
            ends_at=timezone.now() + timedelta(days=5, hours=3),
            place="Fjordvik rådhus, sal A",
        ),
    )
    actions.add_slots(
        buyer, dialogue, first_start=timezone.now() + timedelta(days=12), count=4, place="Rom 1"
    )
    page = body(login(None).get(detail(dialogue)))
    for text in (
        dialogue.title,
        "Fjordvik kommune",
        dialogue.need_summary,
        dialogue.asks,
        dialogue.contact_email,
        "Dialogkonferanse i rådhuset",
        "Fjordvik rådhus, sal A",
        "4 slots",
        "60 minutes each",
        reverse("projects:detail", args=[dialogue.project.pk]),
        reverse("dialogue:deadlines_ics", args=[dialogue.pk]),
    ):
        assert text in page, text
    assert "Log in to register" in page
    assert reverse("dialogue:register", args=[dialogue.pk]) not in page


def test_draft_notice_is_hidden_from_outsiders(login, buyer, supplier, cobuyer):
    draft = make_dialogue(buyer, publish=False)
    for user in (None, supplier, cobuyer):
        assert login(user).get(detail(draft)).status_code == 404
    assert login(buyer).get(detail(draft)).status_code == 200


def test_supplier_sees_a_register_button_while_registration_is_open(login, supplier, dialogue):
    page = body(login(supplier).get(detail(dialogue)))
    assert reverse("dialogue:register", args=[dialogue.pk]) in page


def test_supplier_is_told_why_it_cannot_register_after_the_deadline(login, supplier, dialogue):
    with time_machine.travel(dialogue.registration_deadline + timedelta(minutes=1)):
        page = body(login(supplier).get(detail(dialogue)))
    assert reverse("dialogue:register", args=[dialogue.pk]) not in page
    assert "Registration closed: the deadline was" in page


def test_finished_dialogue_is_not_open_for_registration(login, buyer, supplier, dialogue):
    actions.finish_dialogue(buyer, dialogue)
    page = body(login(supplier).get(detail(dialogue)))
    assert reverse("dialogue:register", args=[dialogue.pk]) not in page
    assert "not open for registration" in page


def test_buyer_sees_the_manage_link_and_no_supplier_control(login, buyer, dialogue, slots):
    page = body(login(buyer).get(detail(dialogue)))
    assert reverse("dialogue:manage", args=[dialogue.pk]) in page
    for name in ("register", "ask", "cancel_booking", "request_slots"):
        assert reverse(f"dialogue:{name}", args=[dialogue.pk]) not in page
    assert reverse("dialogue:book", args=[dialogue.pk, slots[0].pk]) not in page
    assert "Take part" not in page


def test_other_buyer_is_told_only_suppliers_register(login, cobuyer, dialogue):
    page = body(login(cobuyer).get(detail(dialogue)))
    assert "Only suppliers can register" in page
    assert reverse("dialogue:manage", args=[dialogue.pk]) not in page


# The lottery record


def _drawn(buyer, supplier, rival):
    dialogue = make_dialogue(buyer, meeting_mode="lottery")
    slots = actions.add_slots(
        buyer, dialogue, first_start=timezone.now() + timedelta(days=12), count=2
    )
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    actions.request_slots(supplier, dialogue, [slots[0].pk])
    actions.request_slots(rival, dialogue, [slots[0].pk, slots[1].pk])
    return dialogue, slots


def test_lottery_record_before_the_draw_shows_the_commitment_not_the_seed(
    login, buyer, supplier, rival
):
    dialogue, _slots = _drawn(buyer, supplier, rival)
    dialogue.refresh_from_db()
    page = body(login(None).get(reverse("dialogue:lottery", args=[dialogue.pk])))
    assert lottery.seed_commitment(dialogue.lottery_seed) in page
    assert dialogue.lottery_seed not in page
    data = login(None).get(reverse("dialogue:lottery", args=[dialogue.pk]), {"format": "json"})
    record = data.json()
    assert record["drawn"] is False
    assert "seed" not in record
    assert record["seed_commitment"] == lottery.seed_commitment(dialogue.lottery_seed)


def test_lottery_record_after_the_draw_can_be_verified_and_hides_organisations(
    login, buyer, supplier, rival
):
    dialogue, _slots = _drawn(buyer, supplier, rival)
    with time_machine.travel(dialogue.booking_cutoff + timedelta(minutes=1)):
        actions.draw_lottery(buyer, dialogue)
    url = reverse("dialogue:lottery", args=[dialogue.pk])
    record = login(None).get(url, {"format": "json"}).json()
    assert lottery.verify(record)
    assert record["algorithm"] == lottery.ALGORITHM
    assert len(record["result"]) == 2
    raw = json.dumps(record, ensure_ascii=False)
    page = body(login(rival).get(url))
    for text in (raw, page):
        assert "Nordlys Teknologi AS" not in text
        assert "Konkurrent AS" not in text
    assert record["seed"] in page
    assert "python -m lupin.lib.lottery record.json" in page


def test_registered_supplier_finds_itself_in_the_lottery_record(login, buyer, supplier, rival):
    dialogue, _slots = _drawn(buyer, supplier, rival)
    mine = dialogue.registrations.get(organisation=supplier.organisation).pseudonym
    theirs = dialogue.registrations.get(organisation=rival.organisation).pseudonym
    page = body(login(supplier).get(reverse("dialogue:lottery", args=[dialogue.pk])))
    assert f'You are <strong class="lupin-code">{mine}</strong>' in page
    assert theirs not in page
    assert "You are" not in body(login(None).get(reverse("dialogue:lottery", args=[dialogue.pk])))


def test_first_come_dialogue_has_no_lottery_record(login, dialogue):
    assert login(None).get(reverse("dialogue:lottery", args=[dialogue.pk])).status_code == 404


def test_pages_render_in_bokmal(login, buyer, supplier, dialogue, slots):
    actions.register(supplier, dialogue)
    client = login(supplier)
    for url in (LIST, detail(dialogue), reverse("dialogue:input", args=[dialogue.pk])):
        response = client.get(url, headers={"accept-language": "nb"})
        assert response.status_code == 200
        assert 'lang="nb"' in body(response)


def test_home_page_lists_dialogues_open_for_registration(client, buyer):
    from lupin.dialogue.tests.conftest import make_dialogue

    open_one = make_dialogue(buyer)
    draft = make_dialogue(buyer, publish=False, title="Utkast til dialog")
    html = client.get("/").content.decode()
    assert "Market dialogues open for registration" in html
    assert open_one.title in html
    assert draft.title not in html
