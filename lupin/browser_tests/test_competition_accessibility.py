"""axe-core on the competition pages, in bokmål and English: no serious or critical violations.
Each page is checked as the person who uses it: the list and a notice as a visitor; the tender
page (with the withdraw form, since a tender is in) and the receipt as `supplier`; the dashboard
and the opening page (one approval in, the second to give) as `buyer`; and the ranking, with
its sensitivity, as `evaluator`, a declared member of the team, after the opening.

The rules, options and failure report are test_accessibility.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lupin.accounts.models import User
from lupin.browser_tests.test_accessibility import AXE_OPTIONS, BLOCKING_IMPACTS, describe
from lupin.browser_tests.test_competition_journey import pass_the_deadline
from lupin.browser_tests.test_dialogue_accessibility import sign_in
from lupin.competitions import actions
from lupin.competitions.actions import evaluation
from lupin.competitions.models import Competition, Tender
from lupin.competitions.tests.conftest import make_competition, tender_file

pytestmark = pytest.mark.browser


@dataclass
class Scene:
    open: Competition  # announced, `supplier`'s tender in
    receipt: Tender  # `supplier`'s
    closed: Competition  # the deadline passed; `buyer2` has approved the opening, `buyer` not
    evaluated: Competition  # opened, scored and agreed by `evaluator`: the ranking is complete


def opened(buyer: User, colleague: User, evaluator: User, bidders: list[User]) -> Competition:
    competition = make_competition(buyer, title="Sensorer for nattilsyn")
    tenders = [
        actions.submit_tender(
            user, competition, uploads=[tender_file()], price=Decimal(price)
        ).tender
        for user, price in zip(bidders, ("1000000", "1250000"), strict=True)
    ]
    actions.add_team_member(buyer, competition, evaluator)  # the team is fixed before opening
    pass_the_deadline(competition)
    for approver in (buyer, colleague):
        actions.approve_opening(approver, competition)
    actions.declare_no_conflict(evaluator, competition, "Ingen bindinger til tilbyderne.")
    criteria = evaluation.scored_criteria(competition)
    scores = {
        (tender.pk, criterion.pk): Decimal(5 + index) for index, tender in enumerate(tenders)
        for criterion in criteria
    }  # fmt: skip
    evaluation.submit_scores(
        evaluator, competition, {key: (score, "Notat.") for key, score in scores.items()}
    )
    for (tender_pk, criterion_pk), score in scores.items():
        evaluation.record_consensus(
            evaluator,
            competition,
            next(t for t in tenders if t.pk == tender_pk),
            next(c for c in criteria if c.pk == criterion_pk),
            score,
            "Enige.",
        )
    return competition


@pytest.fixture
def scene(
    settings,
    tmp_path: Path,
    buyer: User,
    buyer_colleague: User,
    evaluator: User,
    supplier: User,
    rival: User,
) -> Scene:
    settings.MEDIA_ROOT = tmp_path
    open_competition = make_competition(buyer)
    actions.register_interest(supplier, open_competition)
    receipt = actions.submit_tender(
        supplier, open_competition, uploads=[tender_file()], price=Decimal("1000000")
    ).tender

    closed = make_competition(buyer, title="Mottak av varsler om natten")
    actions.submit_tender(rival, closed, uploads=[tender_file()], price=Decimal("900000"))
    pass_the_deadline(closed)
    actions.approve_opening(buyer_colleague, closed)

    evaluated = opened(buyer, buyer_colleague, evaluator, [supplier, rival])
    return Scene(open=open_competition, receipt=receipt, closed=closed, evaluated=evaluated)


def pages_of(scene: Scene, buyer: User, supplier: User, evaluator: User) -> list:
    notice = f"/competitions/{scene.open.pk}/"
    return [
        (None, "visitor", ["/competitions/", notice]),
        (
            supplier,
            "supplier",
            [f"{notice}tender/", f"{notice}tenders/{scene.receipt.pk}/receipt/"],
        ),
        (buyer, "buyer", [f"{notice}manage/", f"/competitions/{scene.closed.pk}/opening/"]),
        (evaluator, "evaluator", [f"/competitions/{scene.evaluated.pk}/ranking/"]),
    ]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_competition_pages_have_no_serious_accessibility_violations(
    page: Page,
    live_server: LiveServer,
    buyer: User,
    supplier: User,
    evaluator: User,
    scene: Scene,
    language: str,
) -> None:
    axe = Axe()
    problems: list[str] = []
    for user, who, urls in pages_of(scene, buyer, supplier, evaluator):
        sign_in(page, live_server, user, language)
        for url in urls:
            where = f"{url} (as {who})"
            response = page.goto(url)
            if response is None or not response.ok:
                status = response.status if response else "no response"
                problems.append(f"{where}: the page did not load (HTTP {status})")
                continue
            page_language = page.locator("html").get_attribute("lang")
            if page_language != language:
                problems.append(f"{where}: <html lang={page_language!r}>, expected {language!r}")
            results = axe.run(page, options=AXE_OPTIONS)
            problems.extend(
                describe(where, violation)
                for violation in results.response["violations"]
                if violation["impact"] in BLOCKING_IMPACTS
            )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_the_pages_show_what_axe_should_check(
    page: Page,
    live_server: LiveServer,
    buyer: User,
    supplier: User,
    evaluator: User,
    scene: Scene,
) -> None:
    """Guards the test above: the pages really have the parts it claims to check (an axe run
    on a page missing them would pass for the wrong reason)."""
    main = page.get_by_role("main")
    sign_in(page, live_server, None, "en")
    page.goto("/competitions/")
    expect(main.get_by_role("link", name=scene.open.title)).to_be_visible()
    page.goto(f"/competitions/{scene.open.pk}/")
    expect(main.get_by_role("region", name="Take part")).to_be_visible()

    sign_in(page, live_server, supplier, "en")
    page.goto(f"/competitions/{scene.open.pk}/tender/")
    expect(main.get_by_label(re.compile("^Your tender files"))).to_be_attached()
    expect(main.get_by_label(re.compile("^Total price in NOK"))).to_be_visible()
    expect(main.get_by_role("checkbox", name="Yes, withdraw our tender")).to_be_visible()
    page.goto(f"/competitions/{scene.open.pk}/tenders/{scene.receipt.pk}/receipt/")
    expect(main.get_by_role("table", name="Every file with its size and SHA-256")).to_be_visible()

    sign_in(page, live_server, buyer, "en")
    page.goto(f"/competitions/{scene.open.pk}/manage/")
    expect(main.get_by_role("region", name="Tenders")).to_contain_text("1 tender received")
    page.goto(f"/competitions/{scene.closed.pk}/opening/")
    expect(main.get_by_role("button", name="Approve and open the tenders")).to_be_visible()

    sign_in(page, live_server, evaluator, "en")
    page.goto(f"/competitions/{scene.evaluated.pk}/ranking/")
    expect(main.get_by_role("table", name="Scores, totals and ranks")).to_be_visible()
    expect(main.get_by_role("region", name="Sensitivity")).to_be_visible()
