"""The action plan in the admin: read-only. Plans are built on the planning pages, where every
change is checked, version-locked and journalled; the admin must not be a way around that."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ActionPlan, Axis, Objective, Target


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ("year", "name_fr", "status", "adopted_at")
    list_filter = ("status",)


@admin.register(Axis)
class AxisAdmin(ReadOnlyAdmin):
    list_display = ("plan", "number", "name_fr")
    list_filter = ("plan",)


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyAdmin):
    list_display = ("axis", "number", "name_fr")
    list_filter = ("axis__plan",)


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("objective", "indicator", "territory", "region", "province", "value", "profile")
    list_filter = ("objective__axis__plan", "territory", "indicator")
