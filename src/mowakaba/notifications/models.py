"""In-app notifications: a new referral, an approval asked or given, a deadline near or passed.

The text is built when it is read, from ``kind`` and ``params``, so that each reader gets it in
their own language. No name of a person is stored here: only the case or referral number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        REFERRAL_NEW = "referral_new", _("New referral")
        REFERRAL_ANSWERED = "referral_answered", _("Referral answered")
        REFERRAL_REMINDER = "referral_reminder", _("Referral without an answer")
        REFERRAL_REVOKED = "referral_revoked", _("Referral revoked")
        APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
        APPROVAL_DECIDED = "approval_decided", _("Approval decided")
        DEADLINE_NEAR = "deadline_near", _("Deadline approaching")
        DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
        TRANSFER_NEW = "transfer_new", _("Transfer proposed")
        TRANSFER_ANSWERED = "transfer_answered", _("Transfer answered")
        CASE_ASSIGNED = "case_assigned", _("Case assigned to you")
        TASK_OVERDUE = "task_overdue", _("Follow-up overdue")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kind
