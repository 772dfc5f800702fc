"""Questions and answers, as market dialogue and competitions both run them (FOA § 12-2,
Directive 2014/24 art. 53): a supplier asks privately; the buyer answers to every supplier at
once, with the question in the buyer's own words so the asker stays anonymous. There is no
private answer. The abstract models here are completed by each app with the dialogue or the
competition they belong to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.accounts.models import Organisation


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered to all")
    DUPLICATE = "duplicate", _("Answered by an earlier answer")


class BaseAnswer(models.Model):
    """A published answer: the question as the buyer phrased it (anonymised) and the answer."""

    question_text = models.TextField(_("question"))
    answer_text = models.TextField(_("answer"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["published_at", "id"]

    def __str__(self) -> str:
        return self.question_text[:60]


class BaseQuestion(models.Model):
    """A supplier's question: private until the buyer answers it to everyone."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )

    class Meta:
        abstract = True
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
