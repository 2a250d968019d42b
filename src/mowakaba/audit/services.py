"""Writing to the journal. Every service that changes a record calls ``journal_write``."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from mowakaba.audit.models import JournalEntry


@dataclass(frozen=True)
class Origin:
    """Where an action comes from; set once per request, job or command."""

    via: str = ""
    ip: str | None = None


# Origin is a frozen dataclass, so the shared default cannot be mutated.
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar(
    "mowakaba_origin", default=Origin()  # noqa: B039
)


@contextmanager
def origin(via: str, ip: str | None = None) -> Iterator[None]:
    token = _origin.set(Origin(via=via, ip=ip))
    try:
        yield
    finally:
        _origin.reset(token)


def current_origin() -> Origin:
    return _origin.get()


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return str(getattr(actor, "username", actor))[:150]


def journal_write(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    org_unit_id: int | None = None,
    changes: dict[str, Any] | None = None,
    kind: str = JournalEntry.Kind.CHANGE,
) -> JournalEntry:
    """Append one entry. ``org_unit_id`` places it in a territory so that scoped readers find it."""
    o = current_origin()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:250]
    user = actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    return JournalEntry.objects.create(
        kind=kind,
        actor=user,
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:250],
        org_unit_id=org_unit_id,
        changes=changes or {},
        ip=o.ip,
        via=o.via,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as {field: [old, new]} with JSON-safe values."""
    out: dict[str, Any] = {}
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            out[key] = [_jsonable(old), _jsonable(new)]
    return out


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Model):
        return value.pk
    return str(value)
