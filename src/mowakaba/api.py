"""The API under /api/: django-ninja, OpenAPI at /api/openapi.json, docs at /api/docs (served locally).

Pages use the session (with CSRF); machines send ``Authorization: Bearer <token>``. Both end
in the same user and the same access scope, so an endpoint cannot see more than the page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer, django_auth

from mowakaba.accounts.api import router as accounts_router
from mowakaba.accounts.models import ApiToken
from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.api import router as audit_router
from mowakaba.cases.api import router as cases_router
from mowakaba.core.errors import StaleEdit
from mowakaba.notifications.api import router as notifications_router
from mowakaba.partners.api import router as partners_router
from mowakaba.programs.api import router as programs_router
from mowakaba.referrals.api import router as referrals_router
from mowakaba.registry.api import router as registry_router
from mowakaba.territory.api import router as territory_router
from mowakaba.training.api import router as training_router
from mowakaba.vigilance.api import router as vigilance_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is None:
            return None
        request.user = user
        request.scope = scope_for_user(user)  # type: ignore[attr-defined]
        # The language middleware ran before the token was read: answer in the owner's language.
        if getattr(user, "language", "") in dict(settings.LANGUAGES):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user


session_auth: APIKeyCookie = django_auth

api = NinjaAPI(
    title="Mowakaba API",
    version="1",
    description=(
        "Case management for social assistance. Every endpoint applies the same territorial access "
        "policy as the pages: a record outside your territory answers 404."
    ),
    auth=[session_auth, BearerToken()],
    urls_namespace="api",
)
api.add_router("/", accounts_router)
api.add_router("/territory/", territory_router)
api.add_router("/journal", audit_router)
api.add_router("/registry/", registry_router)
api.add_router("/cases/", cases_router)
api.add_router("/referrals/", referrals_router)
api.add_router("/notifications/", notifications_router)
api.add_router("/programs/", programs_router)
api.add_router("/training/", training_router)
api.add_router("/partners/", partners_router)
api.add_router("/vigilance/", vigilance_router)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": _("The request was refused."), "errors": errors}, status=400)


@api.exception_handler(StaleEdit)
def on_stale(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Someone else changed this record since you read it. Read it again, then retry.")},
        status=409,
    )


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)
