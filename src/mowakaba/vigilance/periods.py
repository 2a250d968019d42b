"""Periods of the dashboards, reports and API: the last 12 months, the year so far, last year,
this month. A period is a range of whole months [start, end)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

PERIODS = ("12m", "ytd", "last_year", "month")


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date  # exclusive, first day of a month
    label: str

    @property
    def previous(self) -> tuple[date, date]:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        return add_months(self.start, -months), self.start


def parse_period(code: str | None, today: date) -> Period:
    this_month = today.replace(day=1)
    nxt = add_months(this_month, 1)
    if code == "ytd":
        return Period("ytd", date(today.year, 1, 1), nxt, _("Since 1 January %(year)s") % {"year": today.year})
    if code == "last_year":
        y = today.year - 1
        return Period("last_year", date(y, 1, 1), date(y + 1, 1, 1), _("Year %(year)s") % {"year": y})
    if code == "month":
        return Period("month", this_month, nxt, date_format(this_month, "F Y"))
    return Period("12m", add_months(this_month, -11), nxt, _("Last 12 months"))
