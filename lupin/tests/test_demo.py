"""`lupin demo`: a realistic dataset, safe to run twice, refused in production without --force."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from lupin import demo
from lupin.accounts.models import Organisation, OrganisationKind, Role, User
from lupin.audit import log as audit_log
from lupin.audit.models import AuditEntry
from lupin.competitions import actions as competition_actions
from lupin.competitions.models import Answer as CompetitionAnswer
from lupin.competitions.models import (
    AwardDecision,
    Competition,
    CompetitionStatus,
    ConsensusScore,
    CriterionKind,
    InterestedSupplier,
    OpeningApproval,
    Score,
    TeamMember,
    Tender,
    TenderFile,
    TenderStatus,
)
from lupin.competitions.models import Question as CompetitionQuestion
from lupin.competitions.tests.conftest import make_competition, tender_file
from lupin.dialogue.models import (
    Answer,
    Booking,
    Conference,
    ConferenceSignup,
    Delivery,
    DeliveryKind,
    Dialogue,
    DialogueStatus,
    Minutes,
    Question,
    QuestionStatus,
    Registration,
    Slot,
    WrittenInput,
)
from lupin.lib import orgnr
from lupin.notifications.models import Notification
from lupin.opendata.models import Release
from lupin.projects.lifecycle import Phase
from lupin.projects.models import (
    CoBuyerInvitation,
    ExpectedBenefit,
    InvitationStatus,
    PhaseTransition,
    Project,
    ProjectCpvCode,
    ProjectEvent,
    ProjectStep,
    Visibility,
)

LOGINS = ["buyer", "buyer2", "evaluator", "cobuyer", "supplier", "rival", "advisor", "admin"]
MODELS = [
    Organisation,
    User,
    Project,
    ExpectedBenefit,
    ProjectCpvCode,
    ProjectStep,
    PhaseTransition,
    CoBuyerInvitation,
    ProjectEvent,
    Dialogue,
    Registration,
    Conference,
    ConferenceSignup,
    Slot,
    Booking,
    Question,
    Answer,
    Delivery,
    Minutes,
    WrittenInput,
    Notification,
    Competition,
    CompetitionAnswer,
    CompetitionQuestion,
    InterestedSupplier,
    Tender,
    TenderFile,
    OpeningApproval,
    TeamMember,
    Score,
    ConsensusScore,
    AwardDecision,
    AuditEntry,
]


@pytest.fixture(autouse=True)
def development(settings, tmp_path) -> None:
    # pytest-django runs tests with DEBUG off; the demo is meant for development, so turn it on.
    settings.DEBUG = True
    # The demo's documents and sealed tenders go to media storage: keep them out of var/media.
    settings.MEDIA_ROOT = tmp_path


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


@pytest.fixture
def loaded(db) -> str:
    return run()


def test_demo_data_is_consistent():
    assert demo.check_data() == []


def test_running_demo_twice_changes_nothing(loaded):
    first = counts()
    steps_done = sorted(ProjectStep.objects.filter(done=True).values_list("pk", "done_at"))
    dialogues = sorted(Dialogue.objects.values_list("pk", "status", "published_at"))
    competitions = Competition.objects.values_list("pk", "status", "tender_deadline")
    before = sorted(competitions)
    receipts = sorted(Tender.objects.values_list("pk", "received_at", "receipt_hash"))
    output = run()
    assert counts() == first
    assert sorted(ProjectStep.objects.filter(done=True).values_list("pk", "done_at")) == steps_done
    assert sorted(Dialogue.objects.values_list("pk", "status", "published_at")) == dialogues
    assert sorted(competitions.all()) == before
    assert sorted(Tender.objects.values_list("pk", "received_at", "receipt_hash")) == receipts
    assert "Projects: 0 created, 11 already there." in output


def test_build_counts_the_dialogues(db):
    assert demo.build().created["dialogues"] == 3
    assert demo.build().existing["dialogues"] == 3


def test_build_counts_the_competitions(db):
    first = demo.build()
    assert (first.created["competitions"], first.existing["competitions"]) == (4, 0)
    second = demo.build()
    assert (second.created["competitions"], second.existing["competitions"]) == (0, 4)


def test_demo_resumes_when_part_of_it_exists(loaded):
    before = counts()
    # A published project's OCDS releases protect it from deletion; remove them first.
    Release.objects.filter(project__title="Klimanøytrale anleggsplasser").delete()
    Project.objects.filter(title="Klimanøytrale anleggsplasser").delete()
    run()
    assert Project.objects.filter(title="Klimanøytrale anleggsplasser").count() == 1
    assert counts()["Project"] == before["Project"]


@pytest.mark.parametrize("username", LOGINS)
def test_every_demo_login_authenticates_with_demo(loaded, username):
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=username, password="demo") is not None


def test_demo_roles(loaded):
    roles = dict(User.objects.values_list("username", "role"))
    assert {name: roles[name] for name in LOGINS} == {
        "buyer": Role.BUYER_ADMIN,
        "buyer2": Role.BUYER_MEMBER,
        "evaluator": Role.EVALUATOR,
        "cobuyer": Role.BUYER_ADMIN,
        "supplier": Role.SUPPLIER_ADMIN,
        "rival": Role.SUPPLIER_ADMIN,
        "advisor": Role.ADVISOR,
        "admin": "",
    }
    users = {user.username: user for user in User.objects.select_related("organisation")}
    assert users["buyer"].organisation == users["buyer2"].organisation
    assert users["buyer"].organisation == users["evaluator"].organisation
    assert users["cobuyer"].organisation != users["buyer"].organisation
    assert users["supplier"].organisation != users["rival"].organisation
    admin = users["admin"]
    assert (admin.is_superuser, admin.is_staff, admin.organisation) == (True, True, None)
    for user in users.values():
        user.full_clean()


def test_demo_authors_without_login_cannot_sign_in(loaded):
    for user in User.objects.exclude(username__in=LOGINS):
        assert not user.has_usable_password()


def test_organisations(loaded):
    kinds = dict.fromkeys(OrganisationKind.values, 0)
    for kind in Organisation.objects.values_list("kind", flat=True):
        kinds[kind] += 1
    assert kinds[OrganisationKind.BUYER] >= 3
    assert kinds[OrganisationKind.SUPPLIER] >= 6
    assert kinds[OrganisationKind.PROGRAMME] == 1
    assert Organisation.objects.filter(name="Helse Vestkyst HF").exists()
    foreign = Organisation.objects.get(org_number="")
    assert (foreign.foreign_id, foreign.country) == ("SE556000000001", "SE")


def test_organisation_numbers_are_valid(loaded):
    for organisation in Organisation.objects.exclude(org_number=""):
        assert orgnr.is_valid(organisation.org_number), organisation
        organisation.full_clean()


def test_all_four_phases_are_represented(loaded):
    phases = set(Project.objects.values_list("phase", flat=True))
    assert phases == set(Phase.values)
    assert Project.objects.count() >= 8


def test_projects_are_realistic(loaded):
    for project in Project.objects.prefetch_related("benefits", "cpv_codes", "steps"):
        assert project.need_statement and project.affected_users and project.desired_effects
        assert project.estimated_value and project.estimated_value > 0
        assert project.cpv_codes.exists() and project.nuts_region
        assert 1 <= project.benefits.count() <= 3
        assert project.steps.filter(done=True).exists(), project
        assert project.created_at <= project.updated_at
        moves = list(project.transitions.values_list("at", flat=True))
        assert moves == sorted(moves)
        assert all(project.created_at <= at for at in moves)


def test_steps_match_the_phase(loaded):
    contract = Project.objects.get(title="Utslippsfri hurtigbåt i regionen")
    assert contract.phase == Phase.CONTRACT
    assert not contract.steps.filter(key__in=["anchor", "one_to_one", "award"], done=False)
    early = Project.objects.get(title="Sensorbasert vedlikehold av kommunale bygg")
    assert not early.steps.filter(done=True).exclude(key__in=["anchor", "team"]).exists()


def test_drafts_and_joint_procurement(loaded):
    assert Project.objects.filter(visibility=Visibility.DRAFT).exists()
    assert Project.objects.filter(visibility=Visibility.PUBLISHED).count() >= 6
    cobuyer = User.objects.get(username="cobuyer")
    invitations = CoBuyerInvitation.objects.filter(organisation=cobuyer.organisation)
    assert invitations.filter(status=InvitationStatus.ACCEPTED).exists()
    assert invitations.filter(status=InvitationStatus.PENDING).exists()


def test_moves_that_need_a_reason_have_one(loaded):
    assert not PhaseTransition.objects.filter(reason="").exists()


def test_command_prints_the_logins(db):
    output = run()
    for username in LOGINS:
        assert f"  {username} " in output
    assert "password: demo" in output


def test_demo_is_refused_without_force_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="weak password"):
        run()
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_force_loads_the_demo_when_debug_is_off(db, settings):
    settings.DEBUG = False
    run("--force")
    assert User.objects.filter(username="buyer").exists()


def test_if_empty_does_nothing_when_data_exists(buyer_org):
    output = run("--if-empty")
    assert "not loaded" in output
    assert list(Organisation.objects.all()) == [buyer_org]
    assert not User.objects.exists()


def test_if_empty_loads_an_empty_database(db):
    run("--if-empty")
    assert Project.objects.count() >= 8


def dialogue_of(title: str) -> Dialogue:
    return Dialogue.objects.select_related("project").get(project__title=title)


def test_one_dialogue_is_open_for_registration(loaded):
    dialogue = dialogue_of(demo.CLIMATE)
    assert dialogue.status == DialogueStatus.PUBLISHED
    assert dialogue.registration_open()
    assert dialogue.project.phase == Phase.DIALOGUE
    assert not dialogue.registrations.exists()


def test_one_dialogue_has_a_conference_and_bookable_slots(loaded):
    dialogue = dialogue_of(demo.SNOW)
    supplier = User.objects.get(username="supplier")
    rival = User.objects.get(username="rival")
    now = timezone.now()
    assert dialogue.status == DialogueStatus.PUBLISHED
    assert dialogue.booking_cutoff is not None and dialogue.booking_cutoff > now
    assert dialogue.conferences.filter(signups__organisation=supplier.organisation).exists()
    booked = {booking.organisation_id for booking in dialogue.bookings.all()}
    assert booked == {supplier.organisation_id, rival.organisation_id}
    free = dialogue.slots.filter(booking__isnull=True, starts_at__gt=now)
    assert free.count() >= 2
    assert all(slot.starts_at.weekday() < 5 for slot in dialogue.slots.all())
    assert dialogue.answers.count() == 2
    waiting = dialogue.questions.get(status=QuestionStatus.OPEN)
    assert waiting.organisation == rival.organisation


def test_answers_reached_every_registered_supplier_at_once(loaded):
    for answer in Answer.objects.all():
        deliveries = Delivery.objects.filter(kind=DeliveryKind.ANSWER, object_id=answer.pk)
        registered = set(answer.dialogue.registrations.values_list("organisation_id", flat=True))
        assert set(deliveries.values_list("organisation_id", flat=True)) == registered
        assert set(deliveries.values_list("delivered_at", flat=True)) == {answer.published_at}


def test_one_dialogue_is_finished_with_minutes(loaded):
    dialogue = dialogue_of(demo.SCHOOL_MEALS)
    now = timezone.now()
    assert dialogue.status == DialogueStatus.FINISHED
    assert dialogue.project.phase == Phase.DIALOGUE
    bookings = list(dialogue.bookings.select_related("slot", "minutes"))
    assert len(bookings) == 2
    for booking in bookings:
        assert booking.slot.starts_at < booking.minutes.recorded_at < now
        assert booking.booked_at < booking.slot.starts_at
    transitions = list(dialogue.transitions.values_list("to_status", "at"))
    assert [status for status, _at in transitions] == [
        DialogueStatus.PUBLISHED,
        DialogueStatus.FINISHED,
    ]
    assert dialogue.published_at == transitions[0][1] < transitions[1][1] < now
    assert dialogue.inputs.exists()


def test_supplier_has_a_booking_and_minutes(loaded):
    supplier = User.objects.get(username="supplier")
    bookings = Booking.objects.filter(organisation=supplier.organisation)
    assert bookings.filter(dialogue__status=DialogueStatus.PUBLISHED).exists()
    assert Minutes.objects.filter(booking__organisation=supplier.organisation).exists()


# A Saturday, a Sunday (the night summer time starts) and a Monday, late in the evening.
@pytest.mark.parametrize("day", [29, 30, 31])
def test_demo_loads_on_any_day(db, day):
    with time_machine.travel(datetime(2025, 3, day, 23, 30, tzinfo=ZoneInfo("Europe/Oslo"))):
        demo.build()
        now = timezone.now()
    assert sorted(Dialogue.objects.values_list("status", flat=True)) == sorted(
        [DialogueStatus.PUBLISHED, DialogueStatus.PUBLISHED, DialogueStatus.FINISHED]
    )
    for booking in Booking.objects.select_related("slot", "dialogue"):
        assert booking.slot.starts_at.weekday() < 5
        assert booking.booked_at < booking.slot.starts_at
        if booking.dialogue.status == DialogueStatus.FINISHED:
            assert booking.slot.starts_at < booking.minutes.recorded_at < now
        else:
            cutoff = booking.dialogue.booking_cutoff
            assert cutoff is not None
            assert cutoff < booking.slot.starts_at
    statuses = dict(Competition.objects.values_list("title", "status"))
    assert statuses == {
        demo.OPEN_COMPETITION: CompetitionStatus.ANNOUNCED,
        demo.CLOSED_COMPETITION: CompetitionStatus.CLOSED,
        demo.EVALUATION_COMPETITION: CompetitionStatus.OPENED,
        demo.AWARDED_COMPETITION: CompetitionStatus.SIGNED,
    }
    for tender in Tender.objects.select_related("competition"):
        assert tender.received_at < tender.competition.tender_deadline


# Competitions


def competition(title: str) -> Competition:
    return Competition.objects.select_related("project").get(title=title)


def live_tenders(item: Competition) -> list[Tender]:
    return list(item.tenders.filter(status=TenderStatus.SUBMITTED).select_related("organisation"))


def org_of(username: str) -> Organisation:
    organisation = User.objects.get(username=username).organisation
    assert organisation is not None
    return organisation


def test_the_four_competition_states(loaded):
    assert sorted(Competition.objects.values_list("status", flat=True)) == sorted(
        [
            CompetitionStatus.ANNOUNCED,
            CompetitionStatus.CLOSED,
            CompetitionStatus.OPENED,
            CompetitionStatus.SIGNED,
        ]
    )


def test_one_competition_is_open_for_tenders(loaded):
    item = competition(demo.OPEN_COMPETITION)
    now = timezone.now()
    assert item.status == CompetitionStatus.ANNOUNCED
    assert item.project.phase == Phase.COMPETITION
    assert item.announced_at is not None and item.announced_at < now
    assert timedelta(days=20) < item.tender_deadline - now < timedelta(days=22)
    assert item.question_deadline > now and item.last_answer_at > now
    assert item.documents.count() == 2
    weights = {c.kind: c.weight for c in item.criteria.all()}
    assert weights == {
        CriterionKind.PRICE: Decimal(40),
        CriterionKind.QUALITY: Decimal(30),
        CriterionKind.ENVIRONMENT: Decimal(30),
    }
    answer = item.answers.get()
    assert item.announced_at < answer.published_at < now
    assert item.questions.get().answer == answer
    [tender] = live_tenders(item)
    assert tender.organisation == org_of("supplier")
    assert item.announced_at < tender.received_at < now
    following = set(item.interested.values_list("organisation", flat=True))
    assert following == {org_of("supplier").pk, org_of("rival").pk}


def test_one_competition_awaits_opening(loaded):
    item = competition(demo.CLOSED_COMPETITION)
    now = timezone.now()
    assert item.status == CompetitionStatus.CLOSED
    assert now - timedelta(days=2) < item.tender_deadline < now - timedelta(hours=6)
    tenders = live_tenders(item)
    assert {t.organisation for t in tenders} == {org_of("supplier"), org_of("rival")}
    assert all(t.received_at < item.tender_deadline for t in tenders)
    assert not item.opening_approvals.exists()
    closed = item.transitions.get(to_status=CompetitionStatus.CLOSED)
    assert item.tender_deadline <= closed.at < item.tender_deadline + timedelta(minutes=5)


def test_one_competition_is_in_evaluation(loaded):
    item = competition(demo.EVALUATION_COMPETITION)
    assert item.status == CompetitionStatus.OPENED
    approvers = set(item.opening_approvals.values_list("user__username", flat=True))
    assert approvers == {"buyer", "buyer2"}
    assert item.opened_at is not None and item.tender_deadline < item.opened_at
    member = TeamMember.objects.get(competition=item)
    assert member.user.username == "evaluator"
    assert member.declared_at is not None and member.declaration
    assert member.scores_submitted_at is not None
    assert item.opened_at <= member.declared_at < member.scores_submitted_at < timezone.now()
    tenders = live_tenders(item)
    assert len(tenders) == 2
    assert all(t.received_at < item.tender_deadline for t in tenders)
    assert member.scores.count() == 2 * 2  # two tenders, quality and environment
    assert not ConsensusScore.objects.filter(tender__competition=item).exists()


def test_one_competition_is_awarded_and_signed_on_the_contract_project(loaded):
    item = competition(demo.AWARDED_COMPETITION)
    assert item.project.title == demo.FURNITURE
    assert item.project.phase == Phase.CONTRACT
    assert item.status == CompetitionStatus.SIGNED
    award = AwardDecision.objects.get(competition=item)
    assert award.winner.organisation.name == "Gjenbruk Interiør AS"
    assert award.reasons and award.signed_by is not None
    assert item.awarded_at is not None and item.standstill_ends_at is not None
    assert item.signed_at is not None
    assert item.tender_deadline < item.opened_at < item.awarded_at  # type: ignore[operator]
    assert item.awarded_at < item.standstill_ends_at <= item.signed_at
    contract = item.project.transitions.get(to_phase=Phase.CONTRACT)
    assert item.signed_at < contract.at
    assert len(set(item.opening_approvals.values_list("user", flat=True))) == 2


def test_moved_receipts_get_the_hash_submit_tender_gives(loaded):
    """The demo recomputes the receipt hash of every tender it moves back in time; its helper
    must give the hash submit_tender gives, here for a tender the actions made just now."""
    buyer = User.objects.get(username="buyer")
    fresh = make_competition(buyer)
    price = Decimal("123456.70")
    receipt = competition_actions.submit_tender(
        User.objects.get(username="supplier"), fresh, uploads=[tender_file()], price=price
    )
    assert demo._receipt_hash(receipt.tender) == receipt.tender.receipt_hash


def test_the_audit_chain_verifies_after_the_demo(loaded):
    result = audit_log.verify()
    assert result.ok, result.reason
    assert result.checked == AuditEntry.objects.count() > 0
    run()
    assert audit_log.verify().ok
