from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mowakaba.audit.models import JournalEntry


@admin.register(JournalEntry)
class JournalAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the journal is append-only."""

    list_display = ["at", "kind", "actor_label", "action", "object_type", "object_id", "via", "ip"]
    list_filter = ["kind", "via"]
    search_fields = ["action", "object_type", "object_id", "actor_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
