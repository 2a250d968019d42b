"""Writes to the registry: register, complete, document, consent, link families, merge, undo.

Each function takes the actor and their scope, checks both through the access policy, runs in a
transaction, keeps the search keys in step with the names, and writes a journal entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Capability, Scope
from mowakaba.audit.services import diff, journal_write
from mowakaba.core.errors import StaleEdit
from mowakaba.registry import keys
from mowakaba.registry.models import (
    Attachment,
    Consent,
    DuplicatePair,
    Household,
    HouseholdMember,
    IdentityDocument,
    MergeRecord,
    NameKey,
    Person,
    Phone,
    Relation,
    parse_record_number,
)
from mowakaba.registry.validation import check_birth, clean_cin, clean_phone
from mowakaba.territory.models import OrgUnit

PERSON_FIELDS = (
    "pseudonym", "given_name_ar", "family_name_ar", "father_name_ar", "given_name_lat", "family_name_lat",
    "father_name_lat", "mother_name", "sex", "birth_date", "birth_year", "birth_year_only", "marital_status",
    "education", "occupation", "disability", "disability_card", "commune", "locality", "address",
)
NAME_FIELDS = ("given_name_ar", "family_name_ar", "father_name_ar", "given_name_lat", "family_name_lat",
               "father_name_lat")


def _journal(actor: Any, action: str, person: Person, changes: dict[str, Any] | None = None,
             kind: str = "change") -> None:
    """A journal entry about a person: placed in their establishment, named by record number only
    (the journal is read by roles that may not see people's names)."""
    journal_write(actor=actor, action=action, obj=person, object_repr=person.record_no,
                  org_unit_id=person.establishment_id, changes=changes, kind=kind)


def _state(p: Person) -> dict[str, Any]:
    return {f: getattr(p, f + "_id" if f == "commune" else f) for f in PERSON_FIELDS}


def _validate(p: Person) -> None:
    for f in (*NAME_FIELDS, "pseudonym"):
        setattr(p, f, " ".join(str(getattr(p, f) or "").split()))
    if not (p.given_name_ar or p.family_name_ar or p.given_name_lat or p.family_name_lat or p.pseudonym):
        raise ValidationError({"given_name_ar": [
            _("Give at least a name, in Arabic or Latin script, or a pseudonym for a first contact.")
        ]})
    if p.birth_date is not None and p.birth_year_only:
        p.birth_date = date(p.birth_date.year, 1, 1)
    check_birth(p.birth_date, p.birth_year)
    if p.birth_date is not None:
        p.birth_year = p.birth_date.year


def _editable_establishment(scope: Scope, establishment_id: int) -> OrgUnit:
    unit = (OrgUnit.objects.filter(scope.rows_q("pk", Capability.EDIT_PERSONS))
            .filter(pk=establishment_id, kind=OrgUnit.Kind.ESTABLISHMENT).first())
    if unit is None:
        raise Http404
    return unit


def _person_for_edit(scope: Scope, person_id: int, *, lock: bool = True) -> Person:
    scope.require(Capability.EDIT_PERSONS)
    qs = Person.objects.editable_by(scope)
    if lock:
        qs = qs.select_for_update()
    person = qs.filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@transaction.atomic
def person_register(
    *,
    actor: Any,
    scope: Scope,
    establishment_id: int,
    data: dict[str, Any],
    phones: Iterable[str] = (),
    documents: Iterable[tuple[str, str]] = (),
    despite_matches: bool = False,
) -> Person:
    """Register a person (possibly pseudonymous). ``despite_matches`` records that likely
    existing records were shown and the agent chose to create a new one anyway."""
    scope.require(Capability.EDIT_PERSONS)
    establishment = _editable_establishment(scope, establishment_id)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    person = Person(establishment=establishment, created_by_id=getattr(actor, "pk", None),
                    created_despite_matches=despite_matches, **data)
    _validate(person)
    clean_phones = [clean_phone(n) for n in phones if n and n.strip()]
    clean_docs = [(kind, clean_cin(num) if kind == IdentityDocument.Kind.CIN else num.strip())
                  for kind, num in documents if num and num.strip()]
    person.save()
    Phone.objects.bulk_create([Phone(person=person, number=n) for n in dict.fromkeys(clean_phones)])
    IdentityDocument.objects.bulk_create([IdentityDocument(person=person, kind=k, number=n) for k, n in clean_docs])
    keys.index_person(person)
    _journal(actor, "person.register", person,
             changes={**diff({}, _state(person)), **({"despite_matches": True} if despite_matches else {})})
    return person


@transaction.atomic
def person_update(*, actor: Any, scope: Scope, person_id: int, expected_version: int, data: dict[str, Any]) -> Person:
    person = _person_for_edit(scope, person_id)
    if person.version != expected_version:
        raise StaleEdit
    before = _state(person)
    for name, value in data.items():
        if name not in PERSON_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(person, name, value)
    _validate(person)
    changes = diff(before, _state(person))
    if not changes:
        return person
    person.version += 1
    person.save()
    if any(f in changes for f in NAME_FIELDS):
        keys.index_person(person)
    _journal(actor, "person.update", person, changes=changes)
    return person


@transaction.atomic
def document_add(*, actor: Any, scope: Scope, person_id: int, kind: str, number: str,
                 status: str = IdentityDocument.Status.DECLARED) -> IdentityDocument:
    person = _person_for_edit(scope, person_id)
    if kind not in IdentityDocument.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of document.")]})
    if status not in IdentityDocument.Status.values:
        raise ValidationError({"status": [_("Unknown verification status.")]})
    number = clean_cin(number) if kind == IdentityDocument.Kind.CIN else " ".join(number.split())
    if not number:
        raise ValidationError({"number": [_("Give the document's number.")]})
    verified = status == IdentityDocument.Status.VERIFIED
    doc = IdentityDocument.objects.create(
        person=person, kind=kind, number=number, status=status,
        verified_by_id=getattr(actor, "pk", None) if verified else None,
        verified_at=timezone.now() if verified else None,
    )
    _journal(actor, "document.add", person, changes={"kind": kind, "status": status})
    return doc


@transaction.atomic
def phone_add(*, actor: Any, scope: Scope, person_id: int, number: str, label: str = "") -> Phone:
    person = _person_for_edit(scope, person_id)
    phone = Phone.objects.create(person=person, number=clean_phone(number), label=label.strip()[:40])
    _journal(actor, "phone.add", person)
    return phone


@transaction.atomic
def consent_record(*, actor: Any, scope: Scope, person_id: int, purpose: str, method: str,
                   given_on: date | None = None) -> Consent:
    person = _person_for_edit(scope, person_id)
    if purpose not in Consent.Purpose.values:
        raise ValidationError({"purpose": [_("Unknown purpose.")]})
    if method not in Consent.Method.values:
        raise ValidationError({"method": [_("Say how the consent was given.")]})
    day = given_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"given_on": [_("A consent cannot be dated in the future.")]})
    consent = Consent.objects.create(person=person, purpose=purpose, method=method, given_on=day,
                                     recorded_by_id=actor.pk)
    _journal(actor, "consent.record", person, changes={"purpose": purpose, "method": method})
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, scope: Scope, consent_id: int) -> Consent:
    consent = Consent.objects.select_related("person").filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    person = _person_for_edit(scope, consent.person_id)
    if consent.withdrawn_on is None:
        consent.withdrawn_on = timezone.localdate()
        consent.save(update_fields=["withdrawn_on", "updated_at"])
        _journal(actor, "consent.withdraw", person, changes={"purpose": consent.purpose})
    return consent


def person_read(*, actor: Any, scope: Scope, person_id: int) -> Person:
    """Fetch a person's file for reading, and log the read (who saw whom, when)."""
    scope.require(Capability.VIEW_PERSONS)
    person = (Person.objects.visible_to(scope).select_related("establishment", "commune__province")
              .filter(pk=person_id).first())
    if person is None:
        raise Http404
    _journal(actor, "person.read", person, kind="read")
    return person


ALLOWED_UPLOADS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
MAX_UPLOAD = 5 * 1024 * 1024


def _sniff(head: bytes) -> str:
    """The real type of an upload from its first bytes: the browser's claim is not trusted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return ""


@transaction.atomic
def attachment_add(*, actor: Any, scope: Scope, person_id: int, kind: str, upload: Any, label: str = "") -> Attachment:
    person = _person_for_edit(scope, person_id)
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": [_("Choose a photo or a scanned document.")]})
    if upload is None or not upload.size:
        raise ValidationError({"file": [_("Choose a file.")]})
    if upload.size > MAX_UPLOAD:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    head = upload.read(16)
    upload.seek(0)
    content_type = _sniff(head)
    if not content_type:
        raise ValidationError({"file": [_("Only JPEG or PNG photos and PDF documents are accepted.")]})
    attachment = Attachment(person=person, kind=kind, label=label.strip()[:120], content_type=content_type,
                            size=upload.size, uploaded_by_id=actor.pk)
    attachment.file.save(f"upload{ALLOWED_UPLOADS[content_type]}", upload, save=False)
    attachment.save()
    _journal(actor, "attachment.add", person, changes={"kind": kind, "size": upload.size})
    return attachment


def attachment_read(*, actor: Any, scope: Scope, person_id: int, attachment_id: int) -> Attachment:
    scope.require(Capability.VIEW_PERSONS)
    person = Person.objects.visible_to(scope).filter(pk=person_id).first()
    attachment = Attachment.objects.filter(pk=attachment_id, person_id=person_id).first() if person else None
    if person is None or attachment is None:
        raise Http404
    _journal(actor, "attachment.read", person, changes={"attachment": attachment.pk}, kind="read")
    return attachment


# ---- duplicates: decisions, merge and undo ---------------------------------------------------

def _pair_for_review(scope: Scope, pair_id: int) -> DuplicatePair:
    scope.require(Capability.SUPERVISE)
    pair = DuplicatePair.objects.select_related("left", "right").filter(pk=pair_id).first()
    if pair is None:
        raise Http404
    # Both records must be in the reviewer's reach (editable when they may edit people).
    people = Person.objects.editable_by(scope) if scope.can(Capability.EDIT_PERSONS) else Person.objects.visible_to(
        scope)
    if people.filter(pk__in=[pair.left_id, pair.right_id]).count() != 2:
        raise Http404
    return pair


@transaction.atomic
def duplicate_not_same(*, actor: Any, scope: Scope, pair_id: int) -> DuplicatePair:
    pair = _pair_for_review(scope, pair_id)
    if pair.status != DuplicatePair.Status.OPEN:
        raise ValidationError(_("This pair has already been decided."))
    pair.status = DuplicatePair.Status.NOT_SAME
    pair.decided_by_id = actor.pk
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _journal(actor, "duplicate.not_same", pair.left, changes={"other": pair.right.record_no})
    return pair


# Rows that belong to a person and move with a merge. Later apps (cases, referrals, enrolments)
# add their own models here, so that a merge carries everything to the kept record.
MOVABLE: list[tuple[type[Any], str]] = [
    (IdentityDocument, "person"), (Phone, "person"), (Consent, "person"), (HouseholdMember, "person"),
    (Attachment, "person"),
]


@transaction.atomic
def person_merge(*, actor: Any, scope: Scope, keep_id: int, merge_id: int, pair_id: int | None = None) -> MergeRecord:
    """Merge ``merge_id`` into ``keep_id``: its documents, phones, consents, family links (and the
    records later apps register in MOVABLE) move to the kept record; the merged record stays,
    marked as merged, so that the merge can be undone exactly."""
    scope.require(Capability.SUPERVISE)
    scope.require(Capability.EDIT_PERSONS)
    if keep_id == merge_id:
        raise ValidationError(_("A record cannot be merged into itself."))
    people = {p.pk: p for p in Person.objects.editable_by(scope).select_for_update()
              .filter(pk__in=[keep_id, merge_id])}
    if set(people) != {keep_id, merge_id}:
        # One of the two is outside the actor's territory (or already merged): as if missing.
        raise Http404
    keep, gone = people[keep_id], people[merge_id]
    moved: dict[str, list[int]] = {}
    for model, field in MOVABLE:
        ids = list(model.objects.filter(**{field: gone}).values_list("pk", flat=True))
        if ids:
            model.objects.filter(pk__in=ids).update(**{field: keep})
            moved[model._meta.label_lower] = ids
    filled: dict[str, Any] = {}
    for f in PERSON_FIELDS:
        # Fill the kept record's gaps from the merged one; never overwrite what it has.
        if getattr(keep, f + "_id" if f == "commune" else f) in ("", None) and getattr(
                gone, f + "_id" if f == "commune" else f) not in ("", None):
            filled[f] = getattr(gone, f)
            setattr(keep, f, getattr(gone, f))
    if filled:
        keep.version += 1
        keep.save()
        keys.index_person(keep)
    gone.merged_into = keep
    gone.version += 1
    gone.save(update_fields=["merged_into", "version", "updated_at"])
    NameKey.objects.filter(person=gone).delete()
    record = MergeRecord.objects.create(kept=keep, merged=gone, moved=moved,
                                        filled={k: str(v.pk if hasattr(v, "pk") else v) for k, v in filled.items()},
                                        by_id=actor.pk)
    if pair_id is not None:
        DuplicatePair.objects.filter(pk=pair_id).update(status=DuplicatePair.Status.MERGED, decided_by=actor.pk,
                                                        decided_at=timezone.now())
    _journal(actor, "person.merge", keep, changes={
        "merged": gone.record_no, "moved": {k: len(v) for k, v in moved.items()}, "filled": sorted(filled)})
    return record


@transaction.atomic
def person_merge_undo(*, actor: Any, scope: Scope, merge_id: int) -> MergeRecord:
    scope.require(Capability.SUPERVISE)
    record = MergeRecord.objects.select_for_update().select_related("kept", "merged").filter(pk=merge_id).first()
    if record is None or not Person.objects.editable_by(scope).filter(pk=record.kept_id).exists():
        raise Http404
    if record.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."))
    from django.apps import apps

    for label, ids in record.moved.items():
        model = apps.get_model(label)
        field = next(f for m, f in MOVABLE if m is model)
        model.objects.filter(pk__in=ids).update(**{field: record.merged_id})
    keep = record.kept
    if record.filled:
        for f in record.filled:
            setattr(keep, f, None if f in {"birth_date", "birth_year", "commune"} else "")
        keep.version += 1
        keep.save()
        keys.index_person(keep)
    Person.objects.filter(pk=record.merged_id).update(merged_into=None, version=F("version") + 1)
    keys.index_person(Person.objects.get(pk=record.merged_id))
    record.undone_at = timezone.now()
    record.undone_by_id = actor.pk
    record.save(update_fields=["undone_at", "undone_by"])
    DuplicatePair.objects.filter(status=DuplicatePair.Status.MERGED).filter(
        left_id__in=[record.kept_id, record.merged_id], right_id__in=[record.kept_id, record.merged_id]
    ).update(status=DuplicatePair.Status.OPEN, decided_by=None, decided_at=None)
    _journal(actor, "person.merge_undo", keep, changes={"merged": record.merged.record_no})
    return record


@transaction.atomic
def household_link(*, actor: Any, scope: Scope, person_id: int, relative_record_no: str, relation: str) -> Household:
    """Put a relative in the person's household (created with the person as head if none)."""
    person = _person_for_edit(scope, person_id)
    if relation not in Relation.values:
        raise ValidationError({"relation": [_("Unknown relation.")]})
    relative_pk = parse_record_number(relative_record_no)
    relative = Person.objects.visible_to(scope).filter(pk=relative_pk).first() if relative_pk else None
    if relative is None:
        raise ValidationError({"record_no": [_("No record with this number in your territory.")]})
    if relative.pk == person.pk:
        raise ValidationError({"record_no": [_("A person cannot be their own relative.")]})
    membership = HouseholdMember.objects.select_related("household").filter(person=person).first()
    if membership is None:
        household = Household.objects.create(establishment_id=person.establishment_id, commune_id=person.commune_id,
                                             label=person.family_name_ar or person.family_name_lat)
        HouseholdMember.objects.create(household=household, person=person, relation=Relation.HEAD)
    else:
        household = membership.household
    if HouseholdMember.objects.filter(household=household, person=relative).exists():
        raise ValidationError({"record_no": [_("This person is already in the household.")]})
    HouseholdMember.objects.create(household=household, person=relative, relation=relation)
    _journal(actor, "household.link", person, changes={"relative": relative.record_no, "relation": relation})
    return household
