"""Per-request set-up: the user's language, the access scope and the origin of actions."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.services import origin


class UserLanguageMiddleware:
    """Picks the interface language: the user's saved choice, else the cookie, else Arabic.

    Django's LocaleMiddleware would follow the browser's Accept-Language header; here the
    first page is Arabic whatever the browser says, and a choice once made is remembered
    (per user in the database, per browser in a cookie before login).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _label in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = settings.LANGUAGE_CODE
        user = getattr(request, "user", None)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if user is not None and user.is_authenticated and getattr(user, "language", "") in self.supported:
            lang = user.language
        elif cookie in self.supported:
            lang = cookie
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response


class ScopeMiddleware:
    """Builds the access scope once per request, enforces the absolute session lifetime and
    records where actions come from (page or API, client address) for the journal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            started = request.session.get("auth_started_at")
            now = time.time()
            if started is None:
                request.session["auth_started_at"] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        request.scope = scope_for_user(user)  # type: ignore[attr-defined]
        via = "api" if request.path.startswith("/api/") else "page"
        with origin(via, client_ip(request)):
            return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    # Behind the production proxy the first X-Forwarded-For hop is the client; the proxy sets it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "USE_X_FORWARDED_FOR", False):
        return str(forwarded).split(",")[0].strip()
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote
