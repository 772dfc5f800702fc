"""Market dialogue: the notice, registrations, conferences, one-to-one meetings, Q&A, input.

Equal treatment (FOA § 9-3, § 12-2) is built into the shape of the data: materials and answers
belong to the dialogue, not to a supplier, so every registered supplier gets the same ones at the
same moment; a question has no private answer; each delivery to each supplier is a row, so the
equal-treatment report can show who received what, and when.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.accounts.models import Organisation
from lupin.projects.models import Project
from lupin.qa import BaseAnswer, BaseQuestion, QuestionStatus


class DialogueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


# The allowed moves; actions.transition() is the only code that changes a status.
STATUS_MOVES: dict[str, set[str]] = {
    DialogueStatus.DRAFT: {DialogueStatus.PUBLISHED, DialogueStatus.CANCELLED},
    DialogueStatus.PUBLISHED: {DialogueStatus.FINISHED, DialogueStatus.CANCELLED},
    DialogueStatus.FINISHED: set(),
    DialogueStatus.CANCELLED: set(),
}


class MeetingMode(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    LOTTERY = "lottery", _("Requests, then a lottery at the cut-off")


class Language(models.TextChoices):
    NB = "nb", _("Norwegian")
    EN = "en", _("English")
    NB_EN = "nb+en", _("Norwegian or English")


class Dialogue(models.Model):
    """The dialogue notice of a project (a prior information notice on Doffin)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="dialogue")
    title = models.CharField(_("title"), max_length=200)
    need_summary = models.TextField(_("the need in plain words"))
    asks = models.TextField(
        _("what we ask of suppliers"),
        help_text=_("E.g. take part in the conference, book a meeting, comment on the draft."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.NB
    )
    registration_deadline = models.DateTimeField(_("registration deadline"))
    question_deadline = models.DateTimeField(_("deadline for questions"))
    input_deadline = models.DateTimeField(_("deadline for written input"))
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    status = models.CharField(
        max_length=16, choices=DialogueStatus.choices, default=DialogueStatus.DRAFT
    )
    # One-to-one meetings: one length and one break for every slot of the dialogue.
    meeting_mode = models.CharField(
        _("how meetings are given out"),
        max_length=16,
        choices=MeetingMode.choices,
        default=MeetingMode.FIRST_COME,
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    break_minutes = models.PositiveSmallIntegerField(
        _("break between meetings (minutes)"),
        default=15,
        validators=[MaxValueValidator(120)],
    )
    booking_cutoff = models.DateTimeField(
        _("booking cut-off"),
        null=True,
        blank=True,
        help_text=_("After this, bookings are closed (or the lottery is drawn)."),
    )
    # The lottery seed is fixed when slots are first published and only its hash is shown until
    # the draw, so nobody (the buyer included) can pick a seed after seeing the requests.
    lottery_seed = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status in (DialogueStatus.PUBLISHED, DialogueStatus.FINISHED)

    @property
    def is_open(self) -> bool:
        return self.status == DialogueStatus.PUBLISHED

    def registration_open(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.is_open and moment < self.registration_deadline  # type: ignore[operator]

    def ensure_seed(self) -> str:
        if not self.lottery_seed:
            self.lottery_seed = secrets.token_hex(16)
        return self.lottery_seed

    @property
    def slot_length(self) -> timedelta:
        return timedelta(minutes=self.meeting_minutes)


class DialogueTransition(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=DialogueStatus.choices)
    to_status = models.CharField(max_length=16, choices=DialogueStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Registration(models.Model):
    """One supplier organisation taking part in one dialogue."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="registrations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="dialogue_registrations"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    # The name this organisation has in the published lottery record: others cannot tell who
    # it is, but it can find itself and check the draw.
    pseudonym = models.CharField(max_length=16, default="", blank=True)

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "organisation"], name="registration_one_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.dialogue}"


class Conference(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="conferences")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("programme"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    seats_per_organisation = models.PositiveSmallIntegerField(
        _("seats per organisation"), default=2, validators=[MinValueValidator(1)]
    )
    capacity = models.PositiveIntegerField(
        _("seats in all"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="conference_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ConferenceSignup(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="signups")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    attendees = models.JSONField(default=list, help_text=_("Names of the people who come."))
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signed_up_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "organisation"], name="conference_signup_one_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.conference_id}"


def _upload_path(prefix: str, dialogue_id: int, filename: str) -> str:
    safe = PurePosixPath(filename).name[-120:]
    return f"dialogues/{dialogue_id}/{prefix}/{secrets.token_hex(8)}/{safe}"


def material_path(instance: Material, filename: str) -> str:
    return _upload_path("materials", instance.dialogue_id, filename)


def input_path(instance: WrittenInput, filename: str) -> str:
    return _upload_path("input", instance.dialogue_id, filename)


class Material(models.Model):
    """A file the buyer shares with every registered supplier at the same moment."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="materials")
    conference = models.ForeignKey(
        Conference, on_delete=models.SET_NULL, null=True, blank=True, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_path, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["published_at", "id"]

    def __str__(self) -> str:
        return self.title


class Slot(models.Model):
    """A one-to-one meeting slot. All slots of a dialogue have the same length."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place or video link"), max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    """A supplier's one-to-one meeting. One per slot and one per organisation per dialogue:
    the database enforces both, so two suppliers racing for the last slot cannot both win."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="bookings")
    slot = models.OneToOneField(Slot, on_delete=models.CASCADE, related_name="booking")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    booked_at = models.DateTimeField(default=timezone.now)
    via_lottery = models.BooleanField(default=False)
    attendees = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["slot__starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "organisation"], name="booking_one_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.slot_id}"


class SlotRequest(models.Model):
    """In lottery mode: a supplier says it can take this slot."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "organisation"], name="slot_request_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.slot_id}"


class LotteryDraw(models.Model):
    """The recorded draw: seed, inputs and result, so anyone can recompute it."""

    dialogue = models.OneToOneField(Dialogue, on_delete=models.CASCADE, related_name="draw")
    seed = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=32)
    inputs = models.JSONField(help_text=_("Pseudonym → requested slot ids."))
    result = models.JSONField(help_text=_("Pseudonym → allocated slot id."))
    drawn_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"draw {self.dialogue_id}"


class Minutes(models.Model):
    """The buyer's minutes of one meeting. The supplier may mark paragraphs as business
    secrets; nobody else outside the buyer sees them at all."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("minutes"))
    actual_minutes = models.PositiveSmallIntegerField(
        _("actual length (minutes)"),
        null=True,
        blank=True,
        help_text=_("How long the meeting really took; the equal-treatment report compares."),
    )
    secret_paragraphs = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    secrets_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    secrets_marked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"minutes {self.booking_id}"

    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.text.split("\n\n") if part.strip()]


class Answer(BaseAnswer):
    """A published answer: the question as the buyer phrased it (anonymised) and the answer.
    Every registered supplier gets every answer."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="answers")

    class Meta(BaseAnswer.Meta):
        pass


class Question(BaseQuestion):
    """A supplier's question: private until the buyer answers it to everyone."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="questions")
    answer = models.ForeignKey(
        Answer, on_delete=models.PROTECT, null=True, blank=True, related_name="questions"
    )

    class Meta(BaseQuestion.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(status=QuestionStatus.OPEN, answer__isnull=True)
                | (~Q(status=QuestionStatus.OPEN) & Q(answer__isnull=False)),
                name="question_answered_iff_answer",
            ),
        ]


class WrittenInput(models.Model):
    """A supplier's written response, confidential to the buyer."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="inputs")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=input_path, max_length=300, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return self.title


class DeliveryKind(models.TextChoices):
    MATERIAL = "material", _("Material")
    ANSWER = "answer", _("Answer")


class Delivery(models.Model):
    """When one registered supplier got one material or answer (the moment it became visible
    to that supplier and a notice was sent). The equal-treatment report reads these."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="deliveries")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=DeliveryKind.choices)
    object_id = models.PositiveBigIntegerField()
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "organisation", "kind", "object_id"], name="delivery_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} → {self.organisation_id}"
