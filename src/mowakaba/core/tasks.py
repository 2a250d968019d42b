"""The task decorator: Django 6's ``django.tasks`` when present, else the django-tasks backport."""

from __future__ import annotations

try:  # pragma: no cover - depends on the Django version
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Django 5.2
    from django_tasks import task

__all__ = ["task"]
