"""/portfolio/: every partner's projects by phase and by buyer, for the programme's advisors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lupin.accounts.models import User
from lupin.conftest import add_benefit
from lupin.projects import actions
from lupin.projects.actions import ProjectData
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Project

URL = reverse("projects:portfolio")
NBSP, NNBSP = "\u00a0", "\u202f"


def create(buyer: User, title: str, value: str | None = None, publish: bool = False) -> Project:
    project = actions.create_project(
        buyer,
        ProjectData(
            title=title,
            need_statement="Et behov",
            estimated_value=Decimal(value) if value else None,
        ),
    )
    return actions.publish_project(buyer, project) if publish else project


def section(body: str, start: str, end: str = "</table>") -> str:
    return body.split(start, 1)[1].split(end, 1)[0]


def test_portfolio_counts_projects_per_phase_drafts_included(login, advisor, buyer, cobuyer):
    create(buyer, "Utkast hos Fjordvik")
    moved = create(buyer, "Dialog hos Fjordvik", publish=True)
    add_benefit(buyer, moved)
    actions.move_phase(buyer, moved, Phase.DIALOGUE)
    create(cobuyer, "Utkast hos Solberg")
    body = login(advisor).get(URL).content.decode()
    counts = section(body, 'id="by-phase-title"', "</section>")
    assert [c.split("<")[0] for c in counts.split('class="lupin-count">')[1:]] == [
        "2",
        "1",
        "0",
        "0",
    ]
    need = section(body, 'id="phase-need"', "</table>")
    assert "Utkast hos Fjordvik" in need and "Utkast hos Solberg" in need
    assert "Dialog hos Fjordvik" in section(body, 'id="phase-dialogue"')
    assert "2 are drafts." in body


def test_portfolio_table_per_buyer_has_phase_counts_and_total_value(login, advisor, buyer, cobuyer):
    create(buyer, "A", "1000000")
    create(buyer, "B", "250000.50", publish=True)
    create(buyer, "C")  # no estimate: counted, adds nothing to the value
    create(cobuyer, "D", "400000")
    body = login(advisor).get(URL).content.decode()
    table = section(body, 'id="by-buyer-title"')
    assert 'scope="row">Fjordvik kommune' in table
    fjordvik = section(table, 'scope="row">Fjordvik kommune</th>', "</tr>")
    cells = [cell.split("<")[0] for cell in fjordvik.split('class="lupin-num">')[1:]]
    assert cells == ["3", "0", "0", "0", "3", f"1{NNBSP}250{NNBSP}000,50{NBSP}kr"]
    solberg = section(table, 'scope="row">Solberg kommune</th>', "</tr>")
    assert f"400{NNBSP}000{NBSP}kr" in solberg
    # Buyers sorted by name.
    assert table.index("Fjordvik kommune") < table.index("Solberg kommune")
    assert f"1{NNBSP}650{NNBSP}000,50{NBSP}kr" in body  # the total across partners


def test_portfolio_lists_buyer_phase_visibility_and_updated(login, advisor, buyer):
    draft = create(buyer, "Et utkast")
    published = create(buyer, "Et publisert prosjekt", publish=True)
    body = login(advisor).get(URL).content.decode()
    need = section(body, 'id="phase-need"')
    for project, visibility in [(draft, "Draft"), (published, "Published")]:
        row = section(need, reverse("projects:detail", args=[project.pk]), "</tr>")
        assert "Fjordvik kommune" in row
        assert visibility in row
        assert "<time datetime=" in row


def test_superuser_sees_the_portfolio_too(login, admin_user, draft_project):
    body = login(admin_user).get(URL).content.decode()
    assert draft_project.title in body


def test_portfolio_is_accessible_markup(login, advisor, draft_project):
    body = login(advisor).get(URL).content.decode()
    assert body.count("<h1") == 1
    assert body.count("<table") == body.count("<caption")
    assert 'scope="col"' in body and 'scope="row"' in body


@pytest.mark.parametrize("who", ["buyer", "supplier", "evaluator"])
def test_portfolio_is_hidden_from_non_advisors(request, login, who):
    assert login(request.getfixturevalue(who)).get(URL).status_code == 404


def test_anonymous_must_log_in_for_the_portfolio(login, db):
    response = login(None).get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def _portfolio_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_portfolio_query_count_does_not_grow_with_projects(
    login, advisor, buyer, cobuyer, django_assert_max_num_queries
):
    client = login(advisor)
    create(buyer, "Første", "100")
    few = _portfolio_queries(client)
    for number in range(10):
        create(
            buyer if number % 2 else cobuyer, f"Prosjekt {number}", "1000", publish=number % 3 == 0
        )
    many = _portfolio_queries(client)
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(URL)
