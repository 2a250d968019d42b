"""Writes about partner associations and conventions.

Every function takes the actor and their scope, fetches and authorises in one call (a row outside
the scope is a 404 as if missing), runs in one transaction, recomputes the convention's status
from dates and actions (``convention_refresh``) and writes a journal entry placed in the
convention's unit. Refusals raise ``ValidationError`` before anything is written.

Who may change what: the identity of an association and everything about a convention belong to
those who manage conventions (``MANAGE_CONVENTIONS``: delegates, coordinators, head office) for
the units they reach. The receipt of a report may also be recorded by the association's own
staff, who see their conventions and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.models import Assignment, Role
from mowakaba.accounts.scope import Capability, Scope
from mowakaba.audit.services import diff, journal_write
from mowakaba.core.errors import StaleEdit
from mowakaba.notifications import services as notes
from mowakaba.partners.models import (
    MAX_MARK,
    Convention,
    Criterion,
    Domain,
    PartnerProfile,
    Report,
    Status,
    Tranche,
    Visit,
    VisitMark,
    associations_visible_to,
    rib_digits,
    validate_rib,
)
from mowakaba.territory.models import OrgUnit, PartnerAssociation, Province

# Stored in Notification.kind; the sentence is in notifications/text.py.
REPORT_LATE = "partner_report_late"
SIGNING_UNITS = (OrgUnit.Kind.DELEGATION, OrgUnit.Kind.COORDINATION, OrgUnit.Kind.NATIONAL)


# ---- helpers ------------------------------------------------------------------------------


def convention_url(convention: Convention) -> str:
    return f"/partners/conventions/{convention.pk}/"


def _journal(actor: Any, action: str, convention: Convention, changes: dict[str, Any] | None = None) -> None:
    journal_write(actor=actor, action=action, obj=convention, object_repr=convention.reference,
                  org_unit_id=convention.unit_id, changes=changes)


def _today(at: date | None = None) -> date:
    return at or timezone.localdate()


def _amount(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter an amount in dirhams.")]}) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: [_("The amount must be greater than zero.")]})
    return amount


def _convention_for_edit(scope: Scope, convention_id: int) -> Convention:
    scope.require(Capability.MANAGE_CONVENTIONS)
    conv = (Convention.objects.managed_by(scope).select_for_update()
            .filter(pk=convention_id).first())
    if conv is None:
        raise Http404
    return conv


def _open_convention(scope: Scope, convention_id: int) -> Convention:
    conv = _convention_for_edit(scope, convention_id)
    if conv.status == Status.CLOSED:
        raise ValidationError(_("This convention is closed: nothing more can change."))
    return conv


def _association_for_edit(scope: Scope, association_id: int) -> PartnerAssociation:
    scope.require(Capability.MANAGE_CONVENTIONS)
    assoc = associations_visible_to(scope).select_for_update().filter(pk=association_id).first()
    if assoc is None:
        raise Http404
    return assoc


def association_unit_id(association: PartnerAssociation) -> int | None:
    """Where the journal places an association: the delegation of its seat province."""
    if association.province_id is None:
        return None
    return (OrgUnit.objects.filter(kind=OrgUnit.Kind.DELEGATION, provinces=association.province_id)
            .values_list("pk", flat=True).first())


def _clean_domains(values: Iterable[str]) -> list[str]:
    out = list(dict.fromkeys(v for v in values if v))
    bad = [v for v in out if v not in Domain.values]
    if bad:
        raise ValidationError({"domains": [_("Unknown value: %(v)s") % {"v": ", ".join(bad)}]})
    return out


def _clean_lines(values: Iterable[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]


# ---- associations ---------------------------------------------------------------------------

ASSOCIATION_FIELDS = ("name", "name_ar", "registration_number", "province", "representative", "phone", "email")
PROFILE_FIELDS = ("receipt_date", "receipt_authority", "representative_role", "address", "bank_name", "rib")


def profile_of(association: PartnerAssociation) -> PartnerProfile:
    profile = PartnerProfile.objects.filter(association=association).first()
    return profile or PartnerProfile(association=association)


@transaction.atomic
def association_update(*, actor: Any, scope: Scope, association_id: int, expected_version: int,
                       data: dict[str, Any], domains: Iterable[str] | None = None,
                       province_ids: Iterable[int] | None = None) -> PartnerAssociation:
    """Complete or correct an association's legal identity. A form opened before someone else
    saved is refused with StaleEdit; nothing is overwritten."""
    assoc = _association_for_edit(scope, association_id)
    profile = profile_of(assoc)
    if profile.pk is not None:
        profile = PartnerProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.version != expected_version:
        raise StaleEdit
    before: dict[str, Any] = {f: getattr(assoc, f + "_id" if f == "province" else f) for f in ASSOCIATION_FIELDS}
    before |= {f: getattr(profile, f) for f in PROFILE_FIELDS}
    before["domains"] = list(profile.domains or [])
    before["provinces"] = sorted(profile.provinces.values_list("pk", flat=True)) if profile.pk else []
    for name, value in data.items():
        if name in ASSOCIATION_FIELDS:
            setattr(assoc, name, value)
        elif name in PROFILE_FIELDS:
            setattr(profile, name, value)
        else:
            raise ValueError(f"{name} is not editable")
    profile.rib = rib_digits(profile.rib)
    if not (assoc.name or "").strip():
        raise ValidationError({"name": [_("This field is required.")]})
    try:
        validate_rib(profile.rib)
    except ValidationError as exc:
        raise ValidationError({"rib": exc.messages}) from None
    if domains is not None:
        profile.domains = _clean_domains(domains)
    after: dict[str, Any] = {f: getattr(assoc, f + "_id" if f == "province" else f) for f in ASSOCIATION_FIELDS}
    after |= {f: getattr(profile, f) for f in PROFILE_FIELDS}
    after["domains"] = list(profile.domains or [])
    new_provinces = before["provinces"]
    if province_ids is not None:
        new_provinces = sorted(set(Province.objects.filter(pk__in=list(province_ids)).values_list("pk", flat=True)))
    after["provinces"] = new_provinces
    changes = diff(before, after)
    if not changes:
        return assoc
    if "rib" in changes:  # the journal keeps that the RIB changed, never the number
        changes["rib"] = ["•", "•"]
    assoc.save()
    profile.version += 1
    profile.save()
    if "provinces" in changes:
        profile.provinces.set(new_provinces)
    journal_write(actor=actor, action="association.update", obj=assoc, org_unit_id=association_unit_id(assoc),
                  changes=changes)
    return assoc


# ---- conventions: status ------------------------------------------------------------------


def status_from(conv: Convention, today: date | None = None, *, reports_pending: bool | None = None) -> str:
    """The status a convention is in, from its dates and what was done (never typed by hand).

    closed: closed early by a decision, or its end date has passed and every report due was
    received; suspended: a suspension is in force; draft: not signed yet; signed: signed, not
    started; running: signed and started.
    """
    day = _today(today)
    if conv.closed_on is not None:
        return Status.CLOSED
    if conv.signed_on is None:
        return Status.DRAFT
    if conv.suspended_on is not None:
        return Status.SUSPENDED
    if conv.ends_on < day:
        if reports_pending is None:
            reports_pending = conv.pk is None or conv.reports.filter(submitted_on__isnull=True).exists()
        if not reports_pending and conv.pk is not None and conv.reports.exists():
            return Status.CLOSED
    if day < conv.starts_on:
        return Status.SIGNED
    return Status.RUNNING


def convention_refresh(conv: Convention, today: date | None = None, actor: Any = None) -> str:
    new = status_from(conv, today)
    if new != conv.status:
        old, conv.status = conv.status, new
        Convention.objects.filter(pk=conv.pk).update(status=new)
        _journal(actor, "convention.status", conv, changes={"status": [old, new]})
    return new


# ---- conventions: writes ------------------------------------------------------------------

CONVENTION_FIELDS = ("reference", "subject", "starts_on", "ends_on", "amount")
# After signing, only an amendment's matter may change: the object, the end date, the obligations.
AMENDABLE = {"subject", "ends_on", "obligations"}


def _check_dates(conv: Convention) -> None:
    if conv.starts_on and conv.ends_on and conv.ends_on < conv.starts_on:
        raise ValidationError({"ends_on": [_("The end date comes before the start date.")]})


@transaction.atomic
def convention_create(*, actor: Any, scope: Scope, unit_id: int, association_id: int, data: dict[str, Any],
                      obligations: Iterable[str] = ()) -> Convention:
    scope.require(Capability.MANAGE_CONVENTIONS)
    unit = (OrgUnit.objects.filter(scope.rows_q("pk", Capability.MANAGE_CONVENTIONS))
            .filter(pk=unit_id, kind__in=SIGNING_UNITS).first())
    if unit is None:
        raise ValidationError({"unit": [_("Choose a delegation, a coordination or the head office that you manage.")]})
    assoc = associations_visible_to(scope).filter(pk=association_id).first()
    if assoc is None:
        raise ValidationError({"association": [_("Choose an association of your territory.")]})
    fields = {k: v for k, v in data.items() if k in CONVENTION_FIELDS}
    unknown = set(data) - set(CONVENTION_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} not editable")
    if not (fields.get("subject") or "").strip():
        raise ValidationError({"subject": [_("This field is required.")]})
    fields["amount"] = _amount(fields.get("amount", 0), "amount", allow_zero=True)
    reference = (fields.pop("reference", "") or "").strip()
    if reference and Convention.objects.filter(reference=reference).exists():
        raise ValidationError({"reference": [_("Another convention already has this reference.")]})
    conv = Convention(unit=unit, association=assoc, created_by=actor if getattr(actor, "pk", None) else None,
                      obligations=_clean_lines(obligations), reference=reference or f"tmp-{timezone.now().timestamp()}",
                      **fields)
    _check_dates(conv)
    conv.save()
    if not reference:
        conv.reference = f"CONV-{conv.starts_on:%Y}-{conv.pk:05d}"
        conv.save(update_fields=["reference"])
    _journal(actor, "convention.create", conv,
             changes={"association": [None, assoc.pk], "amount": [None, str(conv.amount)]})
    convention_refresh(conv, actor=actor)
    return conv


@transaction.atomic
def convention_update(*, actor: Any, scope: Scope, convention_id: int, expected_version: int,
                      data: dict[str, Any], obligations: Iterable[str] | None = None) -> Convention:
    conv = _open_convention(scope, convention_id)
    if conv.version != expected_version:
        raise StaleEdit
    before: dict[str, Any] = {f: getattr(conv, f) for f in CONVENTION_FIELDS}
    before["obligations"] = list(conv.obligations or [])
    for name, value in data.items():
        if name not in CONVENTION_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(conv, name, value)
    conv.amount = _amount(conv.amount, "amount", allow_zero=True)
    if obligations is not None:
        conv.obligations = _clean_lines(obligations)
    _check_dates(conv)
    after: dict[str, Any] = {f: getattr(conv, f) for f in CONVENTION_FIELDS}
    after["obligations"] = list(conv.obligations or [])
    changes = diff(before, after)
    if not changes:
        return conv
    if conv.status != Status.DRAFT and set(changes) - AMENDABLE:
        raise ValidationError(_("A signed convention keeps its reference, start date and amount; only its object, "
                                "end date and obligations change, by amendment."))
    if "reference" in changes and Convention.objects.filter(reference=conv.reference).exclude(pk=conv.pk).exists():
        raise ValidationError({"reference": [_("Another convention already has this reference.")]})
    conv.version += 1
    conv.save()
    _journal(actor, "convention.update", conv, changes=changes)
    convention_refresh(conv, actor=actor)
    return conv


@transaction.atomic
def convention_sign(*, actor: Any, scope: Scope, convention_id: int, signed_on: date) -> Convention:
    conv = _open_convention(scope, convention_id)
    if conv.signed_on is not None:
        raise ValidationError(_("This convention is already signed."))
    planned = conv.tranches.aggregate(s=Sum("planned_amount"))["s"] or Decimal("0")
    if planned != conv.amount:
        raise ValidationError(_("The tranches (%(planned)s MAD) must add up to the total amount (%(amount)s MAD) "
                                "before signing.") % {"planned": planned, "amount": conv.amount})
    if signed_on > _today():
        raise ValidationError({"signed_on": [_("A signature date cannot be in the future.")]})
    conv.signed_on = signed_on
    conv.version += 1
    conv.save()
    _journal(actor, "convention.sign", conv, changes={"signed_on": [None, str(signed_on)]})
    convention_refresh(conv, actor=actor)
    return conv


@transaction.atomic
def convention_suspend(*, actor: Any, scope: Scope, convention_id: int, reason: str,
                       on: date | None = None) -> Convention:
    conv = _open_convention(scope, convention_id)
    if conv.signed_on is None:
        raise ValidationError(_("Only a signed convention can be suspended."))
    if conv.suspended_on is not None:
        raise ValidationError(_("This convention is already suspended."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why.")]})
    conv.suspended_on, conv.suspension_reason = _today(on), reason.strip()
    conv.version += 1
    conv.save()
    _journal(actor, "convention.suspend", conv, changes={"reason": [None, conv.suspension_reason]})
    convention_refresh(conv, actor=actor)
    return conv


@transaction.atomic
def convention_resume(*, actor: Any, scope: Scope, convention_id: int) -> Convention:
    conv = _open_convention(scope, convention_id)
    if conv.suspended_on is None:
        raise ValidationError(_("This convention is not suspended."))
    conv.suspended_on, conv.suspension_reason = None, ""
    conv.version += 1
    conv.save()
    _journal(actor, "convention.resume", conv)
    convention_refresh(conv, actor=actor)
    return conv


@transaction.atomic
def convention_close(*, actor: Any, scope: Scope, convention_id: int, note: str, on: date | None = None
                     ) -> Convention:
    """Close early, by a decision (termination, or settling after the end date). Its reason is kept."""
    conv = _open_convention(scope, convention_id)
    if not note.strip():
        raise ValidationError({"note": [_("Say why.")]})
    conv.closed_on, conv.closure_note = _today(on), note.strip()
    conv.version += 1
    conv.save()
    _journal(actor, "convention.close", conv, changes={"note": [None, conv.closure_note]})
    convention_refresh(conv, actor=actor)
    return conv


# ---- tranches -------------------------------------------------------------------------------


@transaction.atomic
def tranche_add(*, actor: Any, scope: Scope, convention_id: int, planned_on: date, planned_amount: Any,
                condition: str = "") -> Tranche:
    conv = _open_convention(scope, convention_id)
    if conv.status != Status.DRAFT:
        raise ValidationError(_("The tranches are part of the signed text: add them before signing."))
    amount = _amount(planned_amount, "planned_amount")
    planned = conv.tranches.aggregate(s=Sum("planned_amount"))["s"] or Decimal("0")
    if planned + amount > conv.amount:
        raise ValidationError({"planned_amount": [
            _("The tranches would exceed the total amount of the convention.")]})
    number = (conv.tranches.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    tranche = Tranche.objects.create(convention=conv, number=number, planned_on=planned_on, planned_amount=amount,
                                     condition=condition.strip())
    _journal(actor, "convention.tranche_add", conv,
             changes={"tranche": [None, number], "planned_amount": [None, str(amount)]})
    return tranche


@transaction.atomic
def tranche_pay(*, actor: Any, scope: Scope, tranche_id: int, paid_on: date, paid_amount: Any) -> Tranche:
    scope.require(Capability.MANAGE_CONVENTIONS)
    tranche = (Tranche.objects.select_related("convention")
               .filter(convention__in=Convention.objects.managed_by(scope), pk=tranche_id).first())
    if tranche is None:
        raise Http404
    conv = _open_convention(scope, tranche.convention_id)
    if conv.status not in (Status.SIGNED, Status.RUNNING):
        raise ValidationError(_("A tranche is paid only under a signed convention that is not suspended."))
    if tranche.paid_on is not None:
        raise ValidationError(_("This tranche is already paid."))
    amount = _amount(paid_amount, "paid_amount")
    if amount > tranche.planned_amount:
        raise ValidationError({"paid_amount": [_("More than the planned amount of this tranche.")]})
    tranche.paid_on, tranche.paid_amount = paid_on, amount
    tranche.save()
    _journal(actor, "convention.tranche_pay", conv,
             changes={"tranche": [None, tranche.number], "paid_amount": [None, str(amount)]})
    return tranche


# ---- reports --------------------------------------------------------------------------------


@transaction.atomic
def report_add(*, actor: Any, scope: Scope, convention_id: int, kind: str, due_on: date, period: str = "") -> Report:
    conv = _open_convention(scope, convention_id)
    if kind not in Report.Kind.values:
        raise ValidationError({"kind": [_("Choose an activity or a financial report.")]})
    report = Report.objects.create(convention=conv, kind=kind, due_on=due_on, period=period.strip())
    _journal(actor, "convention.report_add", conv, changes={"report": [None, kind], "due_on": [None, str(due_on)]})
    convention_refresh(conv, actor=actor)
    return report


@transaction.atomic
def report_receive(*, actor: Any, scope: Scope, report_id: int, received_on: date | None = None,
                   note: str = "") -> Report:
    """Record that a report came in. Partner staff record their own association's reports."""
    scope.require(Capability.VIEW_PARTNERS)
    report = (Report.objects.select_for_update()
              .filter(convention__in=Convention.objects.visible_to(scope), pk=report_id).first())
    if report is None:
        raise Http404
    conv = Convention.objects.get(pk=report.convention_id)
    if conv.status == Status.CLOSED:
        raise ValidationError(_("This convention is closed: nothing more can change."))
    if report.submitted_on is not None:
        raise ValidationError(_("This report was already received."))
    day = _today(received_on)
    if day > _today():
        raise ValidationError({"received_on": [_("This date is in the future.")]})
    report.submitted_on, report.note = day, note.strip()
    report.save()
    _journal(actor, "convention.report_receive", conv,
             changes={"report": [None, report.kind], "received_on": [None, str(day)]})
    convention_refresh(conv, actor=actor)
    return report


# ---- evaluation visits ----------------------------------------------------------------------


def visit_score(marks: dict[int, int], weights: dict[int, int]) -> Decimal:
    """Weighted marks as a score out of 100."""
    total = sum(weights[c] * MAX_MARK for c in marks)
    if not total:
        return Decimal("0")
    got = sum(weights[c] * m for c, m in marks.items())
    return (Decimal(got * 100) / Decimal(total)).quantize(Decimal("0.1"))


@transaction.atomic
def visit_record(*, actor: Any, scope: Scope, convention_id: int, visited_on: date, marks: dict[int, int],
                 recommendations: str = "") -> Visit:
    conv = _open_convention(scope, convention_id)
    if conv.signed_on is None:
        raise ValidationError(_("An evaluation visit follows the signature of the convention."))
    if visited_on > _today():
        raise ValidationError({"visited_on": [_("This date is in the future.")]})
    grid = {c.pk: c.weight for c in Criterion.objects.filter(active=True)}
    missing = [c for c in grid if c not in marks]
    if missing or set(marks) - set(grid):
        raise ValidationError({"marks": [_("Mark every criterion of the grid.")]})
    if any(not (0 <= int(m) <= MAX_MARK) for m in marks.values()):
        raise ValidationError({"marks": [_("Each mark goes from 0 to %(max)s.") % {"max": MAX_MARK}]})
    clean = {int(c): int(m) for c, m in marks.items()}
    visit = Visit.objects.create(convention=conv, visited_on=visited_on, visitor=actor if getattr(actor, "pk", None)
                                 else None, score=visit_score(clean, grid), recommendations=recommendations.strip())
    VisitMark.objects.bulk_create([VisitMark(visit=visit, criterion_id=c, mark=m, weight=grid[c])
                                   for c, m in clean.items()])
    _journal(actor, "convention.visit", conv, changes={"score": [None, str(visit.score)]})
    return visit


# ---- periodic check ----------------------------------------------------------------------------


def managers_of(conv: Convention) -> list[int]:
    """Who manages a convention: delegates, coordinators or head office at its unit."""
    return list(Assignment.objects.active().filter(org_unit_id=conv.unit_id,
                                                   role__in=[Role.DELEGATE, Role.COORDINATOR, Role.HEAD_OFFICE])
                .values_list("user_id", flat=True).distinct())


def partner_staff_of(association_id: int) -> list[int]:
    return list(Assignment.objects.active().filter(
        Q(partner_id=association_id) | Q(org_unit__partner_id=association_id), role=Role.PARTNER_STAFF)
        .values_list("user_id", flat=True).distinct())


def tick(*, now: datetime | None = None) -> dict[str, int]:
    """Refresh date-driven statuses (signed → running, ended with every report in → closed) and
    remind once about each report that is late. Idempotent: a reminder is marked when sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"status": 0, "late_reports": 0}
    with transaction.atomic():
        candidates = Convention.objects.filter(
            Q(status=Status.SIGNED, starts_on__lte=today) | Q(status__in=[Status.RUNNING, Status.SIGNED],
                                                              ends_on__lt=today))
        for conv in candidates.select_for_update():
            before = conv.status
            if convention_refresh(conv, today) != before:
                counts["status"] += 1
        late = list(Report.objects.select_for_update().select_related("convention").filter(
            submitted_on__isnull=True, reminded_at__isnull=True, due_on__lt=today,
            convention__status__in=[Status.SIGNED, Status.RUNNING, Status.SUSPENDED])[:5000])
        for report in late:
            conv = report.convention
            notes.notify([*managers_of(conv), *partner_staff_of(conv.association_id)], REPORT_LATE,
                         {"convention": conv.reference, "report": report.kind, "due": report.due_on.isoformat()},
                         convention_url(conv))
            journal_write(actor=None, action="convention.report_late", obj=conv, object_repr=conv.reference,
                          org_unit_id=conv.unit_id, changes={"report": report.kind, "due_on": str(report.due_on)})
        Report.objects.filter(pk__in=[r.pk for r in late]).update(reminded_at=now)
        counts["late_reports"] = len(late)
    return counts
