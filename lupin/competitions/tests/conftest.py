"""Competition fixtures on top of the shared cast (lupin/conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lupin.accounts.models import User
from lupin.competitions import actions
from lupin.competitions.actions import CompetitionData
from lupin.competitions.models import (
    Competition,
    CompetitionDocument,
    Criterion,
    CriterionKind,
)
from lupin.conftest import add_benefit, make_project
from lupin.projects import actions as project_actions
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Procedure

MARKER = b"PLAINTEXT-MARKER-7f3a9c"


def competition_data(**overrides: object) -> CompetitionData:
    now = timezone.now()
    values: dict[str, object] = {
        "title": "Digitalt tilsyn: konkurranse",
        "description": "Åpen anbudskonkurranse om digitalt tilsyn om natten.",
        "procedure": Procedure.OPEN,
        "estimated_value": Decimal("2500000"),
        "buyer_kind": "other",
        "purchase_kind": "goods_services",
        "question_deadline": now + timedelta(days=30),
        "last_answer_at": now + timedelta(days=34),
        "tender_deadline": now + timedelta(days=41),
        "opening_at": now + timedelta(days=41, minutes=5),
    }
    values.update(overrides)
    return CompetitionData(**values)  # type: ignore[arg-type]


def make_competition(buyer: User, *, announce: bool = True, **overrides: object) -> Competition:
    project = make_project(buyer, "Digitalt tilsyn om natten")
    add_benefit(buyer, project)
    project.planned_procedure = Procedure.OPEN
    project.save()
    project_actions.move_phase(buyer, project, Phase.COMPETITION, reason="Rett til konkurranse")
    project.refresh_from_db()
    competition = actions.create_competition(buyer, project, competition_data(**overrides))
    Criterion.objects.create(
        competition=competition, name="Pris", kind=CriterionKind.PRICE, weight=Decimal(40)
    )
    Criterion.objects.create(
        competition=competition, name="Kvalitet", kind=CriterionKind.QUALITY, weight=Decimal(30)
    )
    Criterion.objects.create(
        competition=competition, name="Miljø", kind=CriterionKind.ENVIRONMENT, weight=Decimal(30)
    )
    CompetitionDocument.objects.create(
        competition=competition,
        title="Konkurransegrunnlag",
        file=SimpleUploadedFile("grunnlag.pdf", b"%PDF-1.4 grunnlag"),
        content_type="application/pdf",
        size=17,
    )
    if announce:
        competition = actions.announce(buyer, competition)
    return competition


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def competition(buyer: User, media) -> Competition:
    return make_competition(buyer)


def tender_file(
    name: str = "tilbud.pdf", body: bytes = b"%PDF-1.4 " + MARKER
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, "application/pdf")
