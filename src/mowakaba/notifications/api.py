"""Your own notifications over the API, with their text in your language, and marking them read.

Nobody reads another person's notifications: every query here is narrowed to the caller.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from mowakaba.notifications import services
from mowakaba.notifications.models import Notification

router = Router(tags=["notifications"])


def _fallback(n: Notification) -> str:
    """The kind's label and the number it is about, until the sentences exist."""
    about = n.params.get("case") or n.params.get("referral") or ""
    label = str(n.get_kind_display())
    return f"{label} — {about}" if about else label


def _renderer() -> Callable[[Notification], str]:
    """The sentence of a notification in the reader's language: ``notifications.text.render``,
    or, should that module be missing, the kind's label and the number it is about."""
    try:
        text = importlib.import_module("mowakaba.notifications.text")
    except ImportError:
        return _fallback
    render = getattr(text, "render", None)
    if render is None:
        return _fallback
    return lambda n: str(render(n))


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    params: dict[str, Any]
    url: str
    created_at: datetime
    read_at: datetime | None


class _Page:
    """The caller's notifications, with the text built for the page once it is cut."""

    def __init__(self, qs: Any) -> None:
        self.qs = qs

    def all(self) -> Any:
        return self.qs

    def __getitem__(self, key: slice) -> list[NotificationOut]:
        render = _renderer()
        return [NotificationOut(id=n.pk, kind=n.kind, text=render(n), params=n.params, url=n.url,
                                created_at=n.created_at, read_at=n.read_at) for n in self.qs[key]]


@router.get("/", response=list[NotificationOut], summary="Your notifications, newest first")
@paginate(LimitOffsetPagination, max_limit=100)
def notifications(request: HttpRequest, unread: bool = False) -> Any:
    qs = Notification.objects.filter(user_id=int(request.user.pk or 0))
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return _Page(qs.order_by("-created_at", "-pk"))


class ReadIn(Schema):
    ids: list[int] = []
    all: bool = False


class ReadOut(Schema):
    marked: int


@router.post("/read", response=ReadOut, summary="Mark some of your notifications read, or all of them")
def mark_read(request: HttpRequest, payload: ReadIn) -> ReadOut:
    if not payload.all and not payload.ids:
        raise ValidationError({"ids": [_("Say which notifications to mark read, or all of them.")]})
    ids = None if payload.all else payload.ids
    return ReadOut(marked=services.mark_read(user=request.user, notification_ids=ids))
