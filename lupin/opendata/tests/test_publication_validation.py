"""OCDS out: every release, release package, record package and the bulk file validate against
the official OCDS 1.1.5 schema shipped in the repository, with zero errors; the extensions used
are declared; records compile offline."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from io import StringIO

import ocdsmerge.rules
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from lupin.competitions.actions import evaluation as ev
from lupin.competitions.tests.test_lots import evaluate, lotted, opened  # noqa: F401 (fixtures)
from lupin.contracts import actions as contract_actions
from lupin.contracts.actions import GateChoice
from lupin.contracts.models import PhaseKind
from lupin.opendata import mapping, publish
from lupin.opendata.models import Release
from lupin.opendata.publish import produce_releases
from lupin.opendata.tests.publication_support import (
    DRAFT4_URI,
    RELEASE,
    assert_all_valid,
    assert_valid,
    outputs,
    schema_errors,
    schemas,
)
from lupin.projects import actions as project_actions
from lupin.projects.models import Project, Visibility


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_shipped_schemas_are_draft_4_which_the_validator_follows():
    assert {schema["$schema"] for schema in schemas().values()} == {DRAFT4_URI}


def test_the_validator_finds_errors():
    """The checks below would catch a bad release: a wrong tag, a date without a zone."""
    bad = {"ocid": "x", "id": "1", "date": "2026-01-01T10:00:00", "tag": ["nope"]}
    errors = schema_errors(bad, RELEASE)
    assert any("initiationType" in error for error in errors)
    assert any(error.startswith("date:") for error in errors)
    assert any(error.startswith("tag/0:") for error in errors)


def test_a_competition_in_lots_from_notice_to_contracts(
    opened,  # noqa: F811
    buyer,
    buyer_colleague,
    evaluator,
    client,
):
    competition, tenders = opened.competition, opened.tenders
    project_actions.publish_project(buyer, competition.project)
    for number in (1, 2):
        evaluate(opened, number, [evaluator, buyer_colleague], buyer)
    first = ev.decide_award(buyer, competition, tenders[("rival", 1)], "Best samlet.")
    produce_releases()
    award = Release.objects.get(source_event=f"award.decided:{first.pk}")
    assert {lot["id"]: lot["status"] for lot in award.data["tender"]["lots"]} == {
        "lot-1": "complete",
        "lot-2": "active",
    }
    assert award.data["tender"]["status"] == "active"
    assert award.data["awards"][0]["relatedLots"] == ["lot-1"]
    assert first.standstill_ends_at is not None
    with time_machine.travel(first.standstill_ends_at, tick=False):
        ev.sign_contract(buyer, competition, opened.lots[1])
        second = ev.decide_award(buyer, competition, tenders[("third", 2)], "Best kvalitet.")
    assert second.standstill_ends_at is not None
    with time_machine.travel(second.standstill_ends_at, tick=False):
        ev.sign_contract(buyer, competition, opened.lots[2])
        produce_releases()
        texts = outputs(client)
    assert_all_valid(texts)
    for text in texts.values():
        assert mapping.LOTS_EXTENSION in json.loads(text)["extensions"]
    record = json.loads(texts[f"record ocds-lupin0-{competition.project_id}"])["records"][0]
    compiled = record["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert [lot["status"] for lot in compiled["tender"]["lots"]] == ["complete", "complete"]
    assert [item["relatedLot"] for item in compiled["tender"]["items"]] == ["lot-1", "lot-2"]
    assert [a["status"] for a in compiled["awards"]] == ["active", "active"]
    assert [c["awardID"] for c in compiled["contracts"]] == [a["id"] for a in compiled["awards"]]
    assert "versionedRelease" in record


def test_a_pcp_registered_by_hand_with_phases_and_gates(buyer, pcp_contract, client, media):
    today = timezone.localdate()
    design = contract_actions.add_phase(
        buyer,
        pcp_contract,
        kind=PhaseKind.SOLUTION_DESIGN,
        name="Løsningsdesign",
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=20),
    )
    prototype = contract_actions.add_phase(
        buyer,
        pcp_contract,
        kind=PhaseKind.PROTOTYPE,
        name="Prototyp",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=90),
    )
    milestone = contract_actions.add_milestone(
        buyer, design, title="Design levert", due_on=today - timedelta(days=25)
    )
    contract_actions.start_phase(buyer, design)
    contract_actions.reach_milestone(buyer, milestone, on=today - timedelta(days=26))
    first, second, third = contract_actions.active_suppliers(pcp_contract)
    contract_actions.decide_gate(
        buyer,
        design,
        [
            GateChoice(first, "go", "Godt design."),
            GateChoice(second, "go", "Godt design."),
            GateChoice(third, "no_go", "Svakt design."),
        ],
    )
    contract_actions.start_phase(buyer, prototype)
    produce_releases()
    texts = outputs(client)
    assert_all_valid(texts)
    for text in texts.values():
        assert "extensions" not in json.loads(text)  # nothing here uses an extension
    record = json.loads(texts[f"record ocds-lupin0-{pcp_contract.project_id}"])["records"][0]
    milestones = record["compiledRelease"]["contracts"][0]["implementation"]["milestones"]
    assert [(m["id"], m["status"]) for m in milestones] == [
        (f"phase-{design.pk}", "met"),
        (f"milestone-{milestone.pk}", "met"),
        (f"phase-{prototype.pk}", "scheduled"),
    ]
    suppliers = record["compiledRelease"]["awards"][0]["suppliers"]
    assert len(suppliers) == 3  # the award went to all three; one left at the gate


def test_records_compile_without_the_network(published_project, monkeypatch):
    produce_releases()

    def offline(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCDS output tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", offline)
    publish._merger.cache_clear()
    ocdsmerge.rules._get_merge_rules_from_url_or_path.cache_clear()
    compiled = publish.compile_record(f"ocds-lupin0-{published_project.pk}", versioned=True)
    assert compiled is not None
    assert compiled[0]["compiledRelease"]["tag"] == ["compiled"]
    assert_valid(compiled[0]["compiledRelease"], RELEASE)


def test_everything_the_demo_publishes_validates(db, settings, tmp_path, client):
    """The demo's whole story, as open data: every release on its own, every page of the
    releases endpoint, every record (with its versioned release) and the bulk file."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", stdout=StringIO())
    produce_releases()  # (a no-op if the demo published its releases itself)
    assert Release.objects.exists()
    assert produce_releases() == 0
    for release in Release.objects.all():
        assert_valid(release.data, RELEASE, release.source_event)
    texts = outputs(client)
    assert_all_valid(texts)
    published = Project.objects.filter(visibility=Visibility.PUBLISHED)
    for project in published:
        assert f"record ocds-lupin0-{project.pk}" in texts, project.title
    assert not Release.objects.exclude(project__in=published).exists()
    kinds = {
        source.split(":")[0] for source in Release.objects.values_list("source_event", flat=True)
    }
    assert {
        "project.published",
        "dialogue.published",
        "competition.announced",
        "award.decided",
        "contract.signed",
        "implementation",
    } <= kinds
