"""The bell in the header: the number of unread notifications.

Nothing is asked for anonymous visitors, and for a signed-in user the count runs only when a
template reads it (full pages do, htmx fragments do not): one indexed count on
(user, read_at).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import cached_property

from mowakaba.notifications.models import Notification


class Bell:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    @cached_property
    def count(self) -> int:
        return Notification.objects.filter(user_id=self.user_id, read_at__isnull=True).count()


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user.pk)}
