"""Dashboards (work in progress)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def dashboard_home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def dashboard(request: HttpRequest, level: str, pk: int | None = None) -> HttpResponse:
    return HttpResponse("")


def indicator_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def refresh_start(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


__all__: list[Any] = []
