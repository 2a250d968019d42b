"""Sign-in, account page, API tokens and user administration."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts import services
from mowakaba.accounts.forms import LoginForm, TokenForm, UserCreateForm
from mowakaba.accounts.middleware import client_ip
from mowakaba.accounts.models import Assignment, Role, User
from mowakaba.accounts.scope import Capability, scope_of
from mowakaba.audit.services import journal_write
from mowakaba.core.forms import apply_errors
from mowakaba.core.pagination import paginate


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        self.request.session["auth_started_at"] = time.time()
        journal_write(actor=user, action="auth.login", obj=user, kind="auth",
                      changes={"ip": client_ip(self.request)})
        return response


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    user: User = request.user  # type: ignore[assignment]
    new_token: str | None = None
    form = TokenForm()
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_token = services.token_issue(actor=user, name=form.cleaned_data["name"])
                messages.success(request, _("Token created. Copy it now: it will not be shown again."))
                form = TokenForm()
            except ValidationError as exc:
                apply_errors(form, exc)
    assignments = Assignment.objects.active().filter(user=user).select_related("org_unit", "partner", "region",
                                                                                "province")
    return render(request, "accounts/profile.html", {
        "assignments": assignments,
        "tokens": user.api_tokens.filter(revoked=False).order_by("-created_at"),
        "form": form,
        "new_token": new_token,
        "capabilities": sorted(c.value for c in Capability if scope.can(c)),
    })


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(actor=request.user, token_id=token_id)  # type: ignore[arg-type]
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@login_required
def users(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.MANAGE_USERS)
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    qs = User.objects.order_by("username").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.active().select_related("org_unit", "partner",
                                                                                     "region", "province"))
    )
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(last_name__icontains=q) | Q(full_name_ar__icontains=q))
    if role:
        qs = qs.filter(assignments__role=role).distinct()
    ctx = paginate(request, qs)
    ctx.update({"q": q, "role": role, "roles": Role.choices})
    return render(request, "accounts/users.html", ctx)


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.MANAGE_USERS)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["org_unit"] = data.pop("org_unit_code")
        try:
            user = services.user_create(actor=request.user, scope=scope, **data)
        except ValidationError as exc:
            apply_errors(form, exc, rename={"org_unit": "org_unit_code"})
        else:
            messages.success(request, _("Account %(username)s created.") % {"username": user.username})
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form})
