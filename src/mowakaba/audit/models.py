"""The journal: an append-only record of who did what to which record, when and from where.

Reads of a person's file, exports and logins are written here too (``kind``), so that the
data-protection officer has one place to answer "who saw this person?".

Append-only is enforced twice: the model refuses updates and deletes, and database triggers
(migration 0002) refuse them for any client, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mowakaba.territory.models import OrgUnit

# How actions read in the journal; an action missing here is shown as its code.
ACTION_LABELS = {
    "auth.login": _("Signed in"),
    "orgunit.create": _("Unit created"),
    "orgunit.update": _("Unit changed"),
    "orgunit.import": _("Establishments imported"),
    "user.create": _("Account created"),
    "assignment.end": _("Assignment ended"),
    "token.issue": _("API token issued"),
    "token.revoke": _("API token revoked"),
    "territory.load": _("Census reference data loaded"),
    "territory.census": _("Census indicators loaded"),
    "vulnerabilityscheme.create": _("Vulnerability index method created"),
    "vulnerabilityscheme.update": _("Vulnerability index method changed"),
    "alert.raise": _("Alert raised"),
    "alert.acknowledge": _("Alert acknowledged"),
    "alert.action": _("Action recorded on an alert"),
    "alert.close": _("Alert closed"),
    "alert.reopen": _("Alert reopened"),
    "report.generate": _("Authority report prepared"),
    "report.download": _("Authority report downloaded"),
    "vigilance.export": _("Dashboard figures downloaded"),
    "vigilance.plan_progress.export": _("Action plan progress downloaded"),
    "vigilance.refresh": _("Indicators recomputed"),
    "planning.plan.create": _("Action plan created"),
    "planning.plan.update": _("Action plan changed"),
    "planning.plan.adopt": _("Action plan adopted"),
    "planning.plan.copy": _("Action plan copied to the next year"),
    "planning.axis.create": _("Strategic axis added"),
    "planning.axis.update": _("Strategic axis changed"),
    "planning.axis.delete": _("Strategic axis removed"),
    "planning.objective.create": _("Objective added"),
    "planning.objective.update": _("Objective changed"),
    "planning.objective.delete": _("Objective removed"),
    "planning.target.create": _("Target added"),
    "planning.target.update": _("Target changed"),
    "planning.target.delete": _("Target removed"),
    "demo.generate": _("Demo data generated"),
    "person.register": _("Person registered"),
    "person.update": _("Record changed"),
    "person.read": _("Record opened"),
    "document.add": _("Identity document added"),
    "phone.add": _("Phone number added"),
    "consent.record": _("Consent recorded"),
    "consent.withdraw": _("Consent withdrawn"),
    "household.link": _("Relative added"),
    "attachment.add": _("Photo or document added"),
    "attachment.read": _("Photo or document opened"),
    "duplicate.not_same": _("Marked as not the same person"),
    "person.merge": _("Records merged"),
    "person.merge_undo": _("Merge undone"),
    "persons.import": _("Persons imported"),
    "duplicates.scan": _("Duplicate scan"),
    "duplicates.export": _("Duplicate pairs exported"),
    "listening.record": _("Listening session recorded"),
    "case.open": _("Case opened"),
    "case.update": _("Case changed"),
    "case.read": _("Case opened for reading"),
    "case.status": _("Case status changed"),
    "case.assess": _("Assessment recorded"),
    "case.extreme_open": _("Individual treatment of extreme vulnerability started"),
    "case.extreme_first_action": _("First action recorded"),
    "case.extreme_conference": _("Case conference recorded"),
    "case.escalate": _("Missed deadline escalated"),
    "case.close": _("Case closed"),
    "case.reopen": _("Case reopened"),
    "approval.request": _("Approval requested"),
    "approval.decide": _("Approval decided"),
    "approval.withdraw": _("Approval request withdrawn"),
    "placement.request": _("Placement requested"),
    "placement.end": _("Placement ended"),
    "plan.goal_add": _("Goal added"),
    "plan.goal_state": _("Goal updated"),
    "plan.task_add": _("Task added"),
    "plan.task_done": _("Task done"),
    "plan.task_cancel": _("Task cancelled"),
    "plan.review": _("Plan reviewed"),
    "transfer.request": _("Transfer proposed"),
    "transfer.decide": _("Transfer answered"),
    "transfer.cancel": _("Transfer cancelled"),
    "referral.send": _("Referral sent"),
    "referral.accept": _("Referral accepted"),
    "referral.decline": _("Referral declined"),
    "referral.complete": _("Referral completed"),
    "referral.revoke": _("Referral revoked"),
    "referral.remind": _("Reminder sent: referral without an answer"),
    "offering.create": _("Programme offering opened"),
    "offering.update": _("Programme offering changed"),
    "enrolment.request": _("Enrolment in a programme"),
    "enrolment.admit": _("Admitted to a programme"),
    "enrolment.exit": _("Left a programme"),
    "enrolments.import": _("Enrolments imported"),
    "enrolments.export": _("Enrolments exported"),
    "session.attendance": _("Attendance recorded"),
    "attendance.import": _("Attendance imported"),
    "directory.export": _("Service directory exported"),
    # training
    "training.create": _("Training session created"),
    "training.update": _("Training session changed"),
    "training.open": _("Training registration opened"),
    "training.cancel": _("Training session cancelled"),
    "training.close": _("Training session closed"),
    "training.register": _("Staff registered for a training session"),
    "training.capacity_override": _("Training capacity exceeded (with a reason)"),
    "training.join": _("Registered themselves for a training session"),
    "training.unregister": _("Training registration withdrawn"),
    "training.attendance": _("Training attendance recorded"),
    "training.evaluate": _("Training evaluation recorded"),
    "training.certificate": _("Training certificate printed"),
    "training.export": _("Training sessions exported"),
    # partners
    "association.update": _("Association identity changed"),
    "convention.create": _("Convention drafted"),
    "convention.update": _("Convention changed"),
    "convention.status": _("Convention status changed"),
    "convention.sign": _("Convention signed"),
    "convention.suspend": _("Convention suspended"),
    "convention.resume": _("Convention resumed"),
    "convention.close": _("Convention closed"),
    "convention.tranche_add": _("Tranche planned"),
    "convention.tranche_pay": _("Tranche paid"),
    "convention.report_add": _("Report due added"),
    "convention.report_receive": _("Report received"),
    "convention.report_late": _("Reminder sent: report late"),
    "convention.visit": _("Evaluation visit recorded"),
    "partners.export": _("Partner list exported"),
    "establishments.export": _("Establishment list exported"),
    "cases.export": _("Case list exported"),
    "referrals.export": _("Referral list exported"),
}


class JournalQuerySet(models.QuerySet["JournalEntry"]):
    def visible_to(self, scope: Any) -> JournalQuerySet:
        from mowakaba.accounts.scope import Capability

        if not scope.can(Capability.VIEW_JOURNAL):
            return self.none()
        if scope.is_national:
            return self
        # Entries about a unit or its rows are visible within that unit's territory;
        # entries with no unit (logins) only to national roles and to their own author.
        from django.db.models import Q

        return self.filter(scope.rows_q("org_unit", Capability.VIEW_JOURNAL) | Q(actor_id=scope.user_id))

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the journal is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the journal is append-only")


class JournalEntry(models.Model):
    class Kind(models.TextChoices):
        CHANGE = "change", _("Change")
        READ = "read", _("Read")
        EXPORT = "export", _("Export")
        AUTH = "auth", _("Sign-in")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CHANGE)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(max_length=150, blank=True)  # "system", "cli:demo", kept if a user is renamed
    action = models.CharField(_("action"), max_length=60)  # e.g. "orgunit.update"
    object_type = models.CharField(_("record type"), max_length=60)
    object_id = models.CharField(_("record"), max_length=40, blank=True)
    object_repr = models.CharField(max_length=250, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    changes: models.JSONField[Any, Any] = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("from"), null=True, blank=True)
    via = models.CharField(_("via"), max_length=10, blank=True)  # page, api, cli, job

    objects = JournalQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["actor", "-at"]),
            models.Index(fields=["org_unit", "-at"]),
            models.Index(fields=["kind", "-at"]),
        ]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the journal is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the journal is append-only")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))
