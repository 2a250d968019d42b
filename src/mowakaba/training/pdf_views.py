"""The training certificate (PDF), in the reader's language, with Arabic shaped by WeasyPrint.

One per participant who attended, with a stable number (``Participant.certificate_number``);
each print is journalled as an export by ``services.certificate_issue``, which also authorises:
the participant themselves and the session's organisers may print it, nobody else (404).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mowakaba.accounts.scope import scope_of
from mowakaba.core.pdf import render_pdf
from mowakaba.training import services
from mowakaba.training.models import Participant


def _language(request: HttpRequest) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    for lang in (getattr(request, "LANGUAGE_CODE", ""), getattr(request.user, "language", "")):
        if lang in supported:
            return str(lang)
    return str(settings.LANGUAGE_CODE)


def certificate_context(p: Participant) -> dict[str, Any]:
    s = p.session
    days = p.attendance.filter(present=True).count()
    return {"p": p, "session": s, "days_present": days, "n_days": len(s.days()), "number": p.certificate_number,
            "issued_on": timezone.localdate()}


@never_cache
@require_GET
@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    scope = scope_of(request)
    language = _language(request)
    try:
        p = services.certificate_issue(actor=user, scope=scope, participant_id=pk, language=language)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("training:mine")
    with translation.override(language):
        context = certificate_context(p)
        printed_by = user.display_name
    pdf = render_pdf("training/pdf/certificate.html", context, language=language, printed_by=printed_by)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{p.certificate_number}.pdf"'
    return response
