"""Navigation fitted to the role: built from capabilities, never from role names in templates."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mowakaba.accounts.scope import Capability, scope_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    scope = scope_of(request)
    items: list[tuple[str, Any, str]] = [("portal:home", _("Home"), "home")]
    if scope.can(Capability.VIEW_AGGREGATES):
        items.append(("vigilance:home", _("Dashboard"), "dashboard"))
        items.append(("vigilance:coverage", _("Coverage of needs"), "coverage"))
        items.append(("vigilance:alerts", _("Alerts"), "alerts"))
        items.append(("vigilance:plan_progress", _("Action plan"), "plan"))
        items.append(("vigilance:reports", _("Reports"), "reports"))
    if scope.can(Capability.VIEW_PERSONS):
        items.append(("registry:search", _("People"), "people"))
    if scope.can(Capability.EDIT_PERSONS):
        items.append(("cases:listen", _("Listening"), "listen"))
    if scope.can(Capability.VIEW_PERSONS):
        items.append(("cases:list", _("Cases"), "cases"))
    if scope.can(Capability.EDIT_PERSONS):
        items.append(("cases:tasks", _("My tasks"), "tasks"))
    if scope.can(Capability.SUPERVISE):
        items.append(("cases:team", _("Team"), "team"))
    if scope.can(Capability.APPROVE_EXTREME):
        items.append(("cases:approvals", _("Approvals"), "approvals"))
    if scope.can(Capability.EDIT_PERSONS):
        items.append(("referrals:inbox", _("Orientation inbox"), "referrals"))
    if scope.has_any_grant:
        items.append(("programs:directory", _("Services and programmes"), "programs"))
    if scope.can(Capability.SUPERVISE):
        items.append(("registry:duplicates", _("Duplicates"), "duplicates"))
    if scope.can(Capability.VIEW_PARTNERS):
        items.append(("partners:associations", _("Partners"), "partners"))
    # Training: organisers get the sessions; staff their own trainings; authority viewers the totals.
    if scope.can(Capability.SUPERVISE):
        items.append(("training:list", _("Training"), "training"))
    elif scope.can(Capability.VIEW_PERSONS) or scope.can(Capability.EDIT_STRUCTURE):
        items.append(("training:mine", _("My trainings"), "training"))
    elif scope.can(Capability.VIEW_AGGREGATES):
        items.append(("training:totals", _("Training totals"), "training"))
    if scope.has_any_grant:
        items.append(("territory:units", _("Establishments"), "units"))
        items.append(("territory:regions", _("Territory"), "territory"))
    if scope.can(Capability.IMPORT_STRUCTURE):
        items.append(("territory:import", _("Import establishments"), "import"))
    if scope.can(Capability.VIEW_JOURNAL):
        items.append(("audit:journal", _("Journal"), "journal"))
    if scope.can(Capability.MANAGE_USERS):
        items.append(("accounts:users", _("Users"), "users"))
    items.append(("accounts:profile", _("My account"), "profile"))
    path = request.path
    urls = [(label, key, reverse(name)) for name, label, key in items]
    # The longest matching address is the current page: /cases/tasks/ is "My tasks", not "Cases".
    current = max((url for _l, _k, url in urls if (path == url if url == "/" else path.startswith(url))),
                  key=len, default=None)
    nav = [{"url": url, "label": label, "key": key, "current": url == current} for label, key, url in urls]
    search_url = reverse("registry:search" if scope.can(Capability.VIEW_PERSONS) else "territory:units")
    return {"nav": nav, "scope": scope, "search_url": search_url,
            "search_people": scope.can(Capability.VIEW_PERSONS)}
