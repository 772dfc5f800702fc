"""Dialogue fixtures on top of the shared cast (lupin/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lupin.accounts.models import User
from lupin.conftest import add_benefit, make_project
from lupin.dialogue import actions
from lupin.dialogue.actions import DialogueData
from lupin.dialogue.models import Dialogue, MeetingMode, Slot


def dialogue_data(**overrides: object) -> DialogueData:
    now = timezone.now()
    values: dict[str, object] = {
        "title": "Markedsdialog: digitalt tilsyn om natten",
        "need_summary": "Vi trenger trygghet om natten for hjemmeboende eldre.",
        "asks": "Kom på dialogkonferansen og book et en-til-en-møte.",
        "language": "nb",
        "registration_deadline": now + timedelta(days=20),
        "question_deadline": now + timedelta(days=25),
        "input_deadline": now + timedelta(days=30),
        "contact_name": "Ingrid Fjeld",
        "contact_email": "ingrid.fjeld@fjordvik.example",
        "meeting_mode": MeetingMode.FIRST_COME,
        "meeting_minutes": 60,
        "break_minutes": 15,
        "booking_cutoff": now + timedelta(days=10),
    }
    values.update(overrides)
    return DialogueData(**values)  # type: ignore[arg-type]


def make_dialogue(buyer: User, *, publish: bool = True, **overrides: object) -> Dialogue:
    project = make_project(buyer, "Digitalt tilsyn om natten")
    add_benefit(buyer, project)
    dialogue = actions.create_dialogue(buyer, project, dialogue_data(**overrides))
    if publish:
        dialogue = actions.publish_dialogue(buyer, dialogue)
    return dialogue


@pytest.fixture
def dialogue(buyer: User) -> Dialogue:
    """Published, first come first served, deadlines in the future."""
    return make_dialogue(buyer)


@pytest.fixture
def lottery_dialogue(buyer: User) -> Dialogue:
    return make_dialogue(buyer, meeting_mode=MeetingMode.LOTTERY)


@pytest.fixture
def slots(buyer: User, dialogue: Dialogue) -> list[Slot]:
    start = timezone.now() + timedelta(days=12)
    return actions.add_slots(buyer, dialogue, first_start=start, count=3, place="Rådhuset")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf(name: str = "program.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%fake but sniffable\n", "application/pdf")
