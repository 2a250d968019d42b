"""The sentence a notification says, built when it is read, in the reader's language.

Only numbers (case, referral), kinds and counts are ever stored in ``params``: a sentence never
names a person. ``render`` gives plain text (for a title, an e-mail, the API); ``render_html``
gives the same sentence with every number isolated in ``<bdi dir="ltr">`` so that it does not
reorder inside Arabic text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_date
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from mowakaba.notifications.models import Notification

K = Notification.Kind


def _approval_kind(value: Any) -> str:
    from mowakaba.cases.models import Approval

    return str(dict(Approval.Kind.choices).get(str(value), _("approval")))


def _deadline(value: Any) -> str:
    return {"first_action": _("first action"), "plan": _("approval of the treatment plan")}.get(
        str(value), str(value))


def _day(value: Any) -> str:
    parsed = parse_date(str(value)) if value else None
    if isinstance(parsed, date):
        return date_format(parsed, get_format("SHORT_DATE_FORMAT"))
    return str(value or "")


def _sentence(n: Notification) -> tuple[str, dict[str, Any], set[str]]:
    """The translated sentence with %(name)s placeholders, its values, and which values are
    numbers or dates (isolated left-to-right in HTML)."""
    p: Mapping[str, Any] = n.params or {}
    ref, case = str(p.get("referral", "")), str(p.get("case", ""))
    kind = n.kind
    if kind == K.REFERRAL_NEW:
        return _("New referral %(referral)s awaits your answer"), {"referral": ref}, {"referral"}
    if kind == K.REFERRAL_ANSWERED:
        status = p.get("status")
        text = {
            "accepted": _("Referral %(referral)s was accepted"),
            "declined": _("Referral %(referral)s was declined"),
            "completed": _("Referral %(referral)s is completed: its outcome is recorded"),
        }.get(str(status), _("Referral %(referral)s was answered"))
        return text, {"referral": ref}, {"referral"}
    if kind == K.REFERRAL_REMINDER:
        return (_("Referral %(referral)s has had no answer since %(due)s"),
                {"referral": ref, "due": _day(p.get("due"))}, {"referral", "due"})
    if kind == K.REFERRAL_REVOKED:
        return _("Referral %(referral)s was revoked"), {"referral": ref}, {"referral"}
    if kind == K.APPROVAL_REQUESTED:
        return (_("Approval requested for case %(case)s (%(kind)s)"),
                {"case": case, "kind": _approval_kind(p.get("kind"))}, {"case"})
    if kind == K.APPROVAL_DECIDED:
        text = (_("Approved for case %(case)s: %(kind)s") if p.get("decision") == "approved"
                else _("Refused for case %(case)s: %(kind)s"))
        return text, {"case": case, "kind": _approval_kind(p.get("kind"))}, {"case"}
    if kind == K.DEADLINE_NEAR:
        hours = int(p.get("hours") or 0)
        text = ngettext("Case %(case)s needs a first action within %(hours)s hour",
                        "Case %(case)s needs a first action within %(hours)s hours", hours)
        return text, {"case": case, "hours": hours}, {"case", "hours"}
    if kind == K.DEADLINE_MISSED:
        return (_("Deadline missed on case %(case)s: %(deadline)s"),
                {"case": case, "deadline": _deadline(p.get("deadline"))}, {"case"})
    if kind == K.TRANSFER_NEW:
        return _("Transfer of case %(case)s proposed to your establishment"), {"case": case}, {"case"}
    if kind == K.TRANSFER_ANSWERED:
        text = (_("Transfer of case %(case)s accepted") if p.get("accepted")
                else _("Transfer of case %(case)s refused"))
        return text, {"case": case}, {"case"}
    if kind == K.CASE_ASSIGNED:
        return _("Case %(case)s is assigned to you"), {"case": case}, {"case"}
    if kind == K.TASK_OVERDUE:
        count = int(p.get("count") or 0)
        return (ngettext("%(count)s follow-up is overdue", "%(count)s follow-ups are overdue", count),
                {"count": count}, {"count"})
    if kind == "partner_report_late":  # partners.services.REPORT_LATE
        report = {"activity": _("activity report"), "financial": _("financial report")}.get(
            str(p.get("report")), _("report"))
        return (_("Convention %(convention)s: the %(report)s due on %(due)s has not come in"),
                {"convention": str(p.get("convention", "")), "report": report, "due": _day(p.get("due"))},
                {"convention", "due"})
    if kind == "vigilance_alert":  # vigilance.alerts.ALERT_NOTIFICATION; its labels come in every language
        lang = (get_language() or "ar")[:2]
        province = str(p.get(f"province_{lang}") or p.get("province_fr") or "")
        what = str(p.get(f"what_{lang}") or p.get("what_fr") or _("Alert"))
        return _("New alert in %(province)s: %(what)s"), {"province": province, "what": what}, set()
    label = dict(K.choices).get(kind, _("Notification"))
    return "%(label)s", {"label": str(label)}, set()


def render(n: Notification) -> str:
    text, values, _numbers = _sentence(n)
    return text % values


def render_html(n: Notification) -> SafeString:
    text, values, numbers = _sentence(n)
    wrap: Callable[[Any], Any] = lambda v: format_html('<bdi dir="ltr">{}</bdi>', v)  # noqa: E731
    safe = {k: wrap(v) if k in numbers else conditional_escape(v) for k, v in values.items()}
    return mark_safe(conditional_escape(text) % safe)  # every part is escaped above
