"""Helpers that build programme data through the services, and a snapshot of everything the
programme services write, so that a refused action can be shown to have changed nothing."""

from __future__ import annotations

import itertools
from typing import Any

from django.db.models import Count, Sum

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.programs import services as ps
from mowakaba.programs.models import Attendance, Enrolment, GroupSession, Offering, Programme
from mowakaba.registry import services as registry
from mowakaba.registry.models import Person
from tests.cases.factories import home

_seq = itertools.count(1)


def person(actor: Any, **data: Any) -> Person:
    n = next(_seq)
    return registry.person_register(actor=actor, scope=scope_for_user(actor), establishment_id=home(actor).pk,
                                    data={"given_name_lat": f"Eleve{n}", "family_name_lat": "Programme", "sex": "F",
                                          **data})


def offering(manager: Any, *, capacity: int = 2, code: str = "school-support") -> Offering:
    return ps.offering_create(actor=manager, scope=scope_for_user(manager), establishment_id=home(manager).pk,
                              programme_id=Programme.objects.get(code=code).pk, season="2025-2026",
                              capacity=capacity, schedule="Lun-Ven 17h-19h")


def enrol(actor: Any, off: Offering, who: Person | None = None, **kwargs: Any) -> Enrolment:
    return ps.enrolment_request(actor=actor, scope=scope_for_user(actor), offering_id=off.pk,
                                person_id=(who or person(actor)).pk, **kwargs)


def world() -> tuple[Any, ...]:
    def by(model: Any, f: str) -> tuple[tuple[Any, int], ...]:
        return tuple(model.objects.values_list(f).annotate(n=Count("pk")).order_by(f))

    return (
        JournalEntry.objects.exclude(kind__in=["auth", "read"]).count(), Offering.objects.count(),
        Offering.objects.aggregate(a=Sum("admitted_count"), w=Sum("waiting_count"), c=Sum("capacity")),
        by(Enrolment, "state"), GroupSession.objects.count(), by(Attendance, "mark"),
        Enrolment.objects.aggregate(m=Sum("sessions_marked"), p=Sum("sessions_present")),
    )
