"""`/dev/mail/`: the outbox as web pages, so a developer can read the e-mails Lupin sends.

Development only: with LUPIN_DEBUG=0 the pages do not exist (404), because they show every
e-mail to everyone, without a login.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lupin.notifications.models import Notification

LIMIT = 100


def _development_only() -> None:
    if not settings.DEBUG:
        raise Http404


def dev_mail(request: HttpRequest) -> HttpResponse:
    _development_only()
    notifications = Notification.objects.order_by("-created_at", "-id")[:LIMIT]
    return render(
        request, "notifications/dev_mail.html", {"notifications": notifications, "limit": LIMIT}
    )


def dev_mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _development_only()
    notification = get_object_or_404(Notification.objects.select_related("user"), pk=pk)
    return render(request, "notifications/dev_mail_detail.html", {"notification": notification})
