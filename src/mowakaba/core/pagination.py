"""One paginator for every list page and API list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None) -> dict[str, Any]:
    """Page ``queryset`` from ``?page=``; bad page numbers fall back to the nearest valid page."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    page: Page[Any] = paginator.get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "object_list": page.object_list,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    }
