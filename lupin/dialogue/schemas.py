"""The typed shapes of the dialogue API (documented at /api/v1/openapi.json).

Times are ISO 8601 in UTC. Nothing here ever names another supplier: a slot says whether it is
free and whether it is the caller's, never who booked it; an answer never says who asked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from lupin.dialogue.actions import QUESTION_MAX_LENGTH
from lupin.projects.schemas import MAX_OFFSET, BuyerOut

# The values of models.DialogueStatus, MeetingMode, Language and QuestionStatus
# (a test keeps them in step).
StatusCode = Literal["draft", "published", "finished", "cancelled"]
MeetingModeCode = Literal["first_come", "lottery"]
LanguageCode = Literal["nb", "en", "nb+en"]
QuestionStatusCode = Literal["open", "answered", "duplicate"]


class DialogueQuery(Schema):
    limit: int = Field(20, ge=1, le=100, description="Page size, 1–100.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many dialogues to skip.")


class DeadlinesOut(Schema):
    registration: datetime
    questions: datetime
    written_input: datetime


class ContactOut(Schema):
    name: str
    email: str


class MeetingsOut(Schema):
    """One-to-one meetings: every slot of the dialogue has the same length and break."""

    mode: MeetingModeCode
    length_minutes: int
    break_minutes: int
    booking_cutoff: datetime | None = Field(
        description="After this, bookings are closed (or, in lottery mode, the lottery drawn)."
    )


class ConferenceOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str = Field(description="Empty when the conference is only online.")
    video_link: str = Field(description="Empty when there is no video link.")
    seats_per_organisation: int


class DialogueOut(Schema):
    """A dialogue notice (a prior information notice)."""

    id: int
    title: str
    project: int = Field(description="The project's id (see /api/v1/projects/{id}).")
    buyer: BuyerOut = Field(description="The lead buyer.")
    need_summary: str
    asks: str = Field(description="What the buyer asks of suppliers.")
    language: LanguageCode
    status: StatusCode
    published_at: datetime | None
    deadlines: DeadlinesOut
    contact: ContactOut
    meetings: MeetingsOut
    conferences: list[ConferenceOut]
    registered: bool = Field(description="Whether the caller's organisation is registered.")
    url: str = Field(description="Path of the notice's page on this site.")


class DialoguePage(Schema):
    items: list[DialogueOut]
    count: int = Field(description="How many published dialogues there are, over all pages.")


class RegistrationOut(Schema):
    id: int
    registered_at: datetime


class SlotOut(Schema):
    id: int
    start: datetime
    end: datetime
    place: str
    free: bool = Field(description="No organisation has this slot.")
    mine: bool = Field(description="The caller's organisation has this slot.")


class BookingOut(Schema):
    slot: int
    start: datetime
    end: datetime


class QuestionIn(Schema):
    text: str = Field(
        description=f"Seen only by the buyer; at most {QUESTION_MAX_LENGTH} characters."
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Write your question.")
        return value


class QuestionOut(Schema):
    id: int
    status: QuestionStatusCode


class AnswerOut(Schema):
    """A published answer: the question as the buyer worded it, without who asked."""

    id: int
    question: str
    answer: str
    published_at: datetime
