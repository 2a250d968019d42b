"""The journal page: who did what, filtered, paged, within the reader's territory."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mowakaba.accounts.scope import Capability, scope_of
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.selectors import journal_for
from mowakaba.core.pagination import paginate


@login_required
def journal(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.VIEW_JOURNAL)
    g = request.GET
    actor = g.get("actor", "")
    username = g.get("user", "").strip()
    if username and not actor.isdigit():
        from django.contrib.auth import get_user_model

        found = get_user_model().objects.filter(username__iexact=username).values_list("pk", flat=True).first()
        actor = str(found or 0)
    qs = journal_for(
        scope, kind=g.get("kind", ""), object_type=g.get("object_type", "").strip(),
        object_id=g.get("object_id", "").strip(), actor_id=int(actor) if actor.isdigit() else None,
    )
    ctx = paginate(request, qs, per_page=50)
    ctx.update({"kinds": JournalEntry.Kind.choices, "f": {k: g.get(k, "") for k in
                                                          ("kind", "object_type", "object_id", "actor", "user")}})
    return render(request, "audit/journal.html", ctx)
