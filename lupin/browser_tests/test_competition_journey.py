"""The competition journey of issue 4, from a sealed tender to the award: `supplier` submits a
tender with a file and a price and reads the receipt with the file's SHA-256; `buyer` puts
`evaluator` on the team before the deadline; after it `buyer` and `buyer2` each approve the
opening (four eyes);
`evaluator` declares no conflict of interest, scores on their own and records the consensus;
`buyer` decides the award with reasons; `supplier` downloads its award letter, which names the
winner.

Locators are roles and labels only, and navigation is by clicking links and buttons, as in
test_dialogue_journey.py. The data the journey starts from (an announced open competition with
its criteria and documents, and `rival`'s tender) is made with the actions.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import FilePayload, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from lupin.accounts.models import Organisation, User
from lupin.audit import log as audit_log
from lupin.browser_tests.conftest import set_language
from lupin.competitions import actions
from lupin.competitions.models import (
    AwardDecision,
    Competition,
    CompetitionStatus,
    ConsensusScore,
    TeamMember,
)
from lupin.competitions.tests.conftest import make_competition, tender_file
from lupin.notifications.models import Notification

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # noqa: S105 (the cast's password, see lupin/conftest.py)
TENDER = b"%PDF-1.4\n% Tilbud fra Nordlys Teknologi AS: nattilsyn med sengesensorer.\n%%EOF\n"
REASONS = "Konkurrent AS har best kvalitet og miljø, og prisen er bare litt høyere."
# The evaluator's own scores, then the consensus: (quality, environment) for each tenderer.
SCORES = {"Nordlys Teknologi AS": ("5", "5"), "Konkurrent AS": ("9", "9")}
CRITERIA = ("Kvalitet", "Miljø")


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def log_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    main(page).get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Log out")).click()
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()


def open_notice(page: Page, competition: Competition) -> None:
    """From any page: the header's "Competitions", then the competition's card."""
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Competitions"
    ).click()
    main(page).get_by_role("link", name=competition.title).click()
    expect(page.get_by_role("heading", level=1, name=competition.title)).to_be_visible()


def open_dashboard(page: Page, competition: Competition) -> None:
    open_notice(page, competition)
    main(page).get_by_role("link", name="Manage the competition").click()
    expect(page.get_by_role("heading", level=1, name=competition.title)).to_be_visible()


def evaluation_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Opening, evaluation and award")


def expect_message(page: Page, text: str) -> None:
    """The message the page shows after a form is sent (a status region)."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


@pytest.fixture
def competition(settings, tmp_path: Path, buyer: User, rival: User) -> Competition:
    """Announced, with price 40 / quality 30 / environment 30 and a document; `rival` has
    already sent its tender."""
    settings.MEDIA_ROOT = tmp_path
    competition = make_competition(buyer)
    actions.submit_tender(rival, competition, uploads=[tender_file()], price=Decimal("1100000"))
    return competition


def pass_the_deadline(competition: Competition) -> None:
    """Time moves past the tender deadline and the opening time.

    The live server runs in another thread and the actions read the real clock, so rather than
    travelling in time, the whole timeline is moved back until the deadline is now, by a direct
    update (every date by the same amount: the order stays as announced). The tenders keep their
    real times of receipt, which are all before this moment."""
    competition.refresh_from_db()
    delta = competition.tender_deadline - timezone.now()
    dates = (
        "created_at",
        "announced_at",
        "question_deadline",
        "last_answer_at",
        "tender_deadline",
        "opening_at",
    )
    Competition.objects.filter(pk=competition.pk).update(
        **{name: F(name) - delta for name in dates}
    )
    # The opening time was five minutes after the deadline: it is now, too.
    Competition.objects.filter(pk=competition.pk).update(opening_at=F("tender_deadline"))
    competition.refresh_from_db()


def test_supplier_submits_and_the_buyers_open_evaluate_and_award(
    page: Page,
    live_server: LiveServer,
    competition: Competition,
    buyer: User,
    buyer_colleague: User,
    evaluator: User,
    supplier: User,
    rival_org: Organisation,
) -> None:
    set_language(page, live_server, "en")

    # `supplier` finds the competition, submits a file and a price, and reads the receipt.
    log_in(page, supplier)
    open_notice(page, competition)
    take_part = main(page).get_by_role("region", name="Take part")
    take_part.get_by_role("link", name="Submit a tender").click()
    expect(page.get_by_role("heading", level=1, name="Submit a tender")).to_be_visible()
    upload: FilePayload = {"name": "tilbud.pdf", "mimeType": "application/pdf", "buffer": TENDER}
    page.get_by_label(re.compile("^Your tender files")).set_input_files(files=[upload])
    page.get_by_label(re.compile("^Total price in NOK")).fill("1 000 000")
    main(page).get_by_role("button", name="Submit the tender").click()
    expect(
        page.get_by_role("heading", level=1, name="Receipt for your tender, version 1")
    ).to_be_visible()
    files = main(page).get_by_role("table", name="Every file with its size and SHA-256")
    row = files.get_by_role("row").filter(has_text="tilbud.pdf")
    expect(row).to_contain_text(hashlib.sha256(TENDER).hexdigest())
    expect(row).to_contain_text(f"{len(TENDER)} bytes")
    log_out(page)

    # `buyer` puts `evaluator` on the evaluation team: it is fixed before the opening.
    log_in(page, buyer)
    open_dashboard(page, competition)
    main(page).get_by_role("region", name="Tenders").get_by_role(
        "link", name="Evaluation team"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Evaluation team")).to_be_visible()
    page.get_by_label(re.compile("^Person")).select_option(label="Evaluator (Fjordvik kommune)")
    main(page).get_by_role("button", name="Add to the team").click()
    expect_message(page, "Evaluator is on the evaluation team.")
    log_out(page)

    pass_the_deadline(competition)

    # Four eyes: `buyer` approves, then `buyer2`, whose approval opens the tenders.
    log_in(page, buyer)
    open_dashboard(page, competition)
    main(page).get_by_role("link", name="Open the tenders").click()
    expect(page.get_by_role("heading", level=1, name="Opening the tenders")).to_be_visible()
    main(page).get_by_role("button", name="Approve the opening").click()
    expect_message(page, "Your approval is recorded. A second authorised buyer must approve.")
    log_out(page)

    log_in(page, buyer_colleague)
    open_dashboard(page, competition)
    main(page).get_by_role("link", name="Open the tenders").click()
    expect(main(page)).to_contain_text("2 tenders received.")
    main(page).get_by_role("button", name="Approve and open the tenders").click()
    expect_message(page, "The tenders are opened to the evaluation team.")
    log_out(page)

    # `evaluator` declares no conflict, scores on their own, then records the consensus.
    log_in(page, evaluator)
    open_dashboard(page, competition)
    main(page).get_by_role("region", name="Tenders").get_by_role(
        "link", name="Evaluation team"
    ).click()
    evaluation_nav(page).get_by_role("link", name="My declaration").click()
    page.get_by_label(re.compile("^I have no conflict of interest")).check()
    page.get_by_label(re.compile("^Your declaration in your own words")).fill(
        "No ties of ownership, employment, family or friendship to any tenderer."
    )
    main(page).get_by_role("button", name="Sign the declaration").click()
    expect_message(page, "Your declaration is recorded.")

    evaluation_nav(page).get_by_role("link", name="Scoring").click()
    expect(page.get_by_role("heading", level=1, name="Independent scoring")).to_be_visible()
    for name, scores in SCORES.items():
        tender = main(page).get_by_role("region", name=name)
        for criterion, score in zip(CRITERIA, scores, strict=True):
            tender.get_by_label(re.compile(f"^Score on “{criterion}”")).fill(score)
    main(page).get_by_role("button", name="Submit and lock my scores").click()
    expect_message(page, "Your scores are submitted and locked.")

    evaluation_nav(page).get_by_role("link", name="Consensus").click()
    expect(page.get_by_role("heading", level=1, name="Consensus scores")).to_be_visible()
    for name, scores in SCORES.items():
        for criterion, score in zip(CRITERIA, scores, strict=True):
            table = page.get_by_role("table", name=f"Members' scores for {name} on {criterion}")
            cell = main(page).get_by_role("region").filter(has=table)
            cell.get_by_label(re.compile("^Consensus score")).fill(score)
            cell.get_by_label(re.compile("^Justification")).fill("Agreed in the team meeting.")
            cell.get_by_role("button", name="Record the consensus score").click()
            expect_message(page, "The consensus score is recorded.")
    expect(main(page)).to_contain_text("Every tender has a consensus score on every criterion.")
    log_out(page)

    # `buyer` decides the award, with reasons; the standstill starts.
    log_in(page, buyer)
    open_dashboard(page, competition)
    main(page).get_by_role("region", name="Tenders").get_by_role("link", name="Award").click()
    expect(page.get_by_role("heading", level=1, name="Award and contract")).to_be_visible()
    main(page).get_by_role("group", name="Winner").get_by_role("radio", name=rival_org.name).check()
    page.get_by_label(re.compile("^Reasons for the award")).fill(REASONS)
    main(page).get_by_role("button", name="Decide the award and notify every tenderer").click()
    expect_message(page, "The award is decided and every tenderer has been notified.")
    expect(main(page).get_by_role("region", name="Reasons")).to_contain_text(REASONS)
    log_out(page)

    # `supplier` follows the link in its award e-mail and downloads the letter (no page of the
    # supplier's links to it: see the report). It names the winner.
    log_in(page, supplier)
    notice = Notification.objects.get(user=supplier, topic="competition.award")
    link = re.search(r"/competitions/\d+/award/letter/\d+/", notice.body)
    assert link is not None, notice.body
    letter = page.request.get(link.group(0))
    assert letter.ok, letter.status
    assert letter.headers["content-disposition"].startswith("attachment;")
    text = letter.text()
    assert f"Vi har besluttet å tildele kontrakten til {rival_org.name}." in text
    assert REASONS in text

    # And in the database: awarded, the standstill end set, the audit chain whole.
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.AWARDED
    assert competition.standstill_ends_at is not None
    assert competition.awarded_at is not None
    assert competition.standstill_ends_at > competition.awarded_at
    decision = AwardDecision.objects.get(competition=competition)
    assert decision.winner.organisation == rival_org
    assert decision.decided_by == buyer
    approvers = set(competition.opening_approvals.values_list("user", flat=True))
    assert approvers == {buyer.pk, buyer_colleague.pk}
    member = TeamMember.objects.get(competition=competition)
    assert member.user == evaluator and member.declared_at and member.scores_submitted_at
    assert ConsensusScore.objects.filter(tender__competition=competition).count() == 4
    verified = audit_log.verify()
    assert verified.ok, verified.reason
