from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from mowakaba.accounts.models import ApiToken, Assignment, User


class AssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Assignment
    extra = 0
    raw_id_fields = ["org_unit", "partner", "region", "province"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    inlines = [AssignmentInline]
    list_display = ["username", "first_name", "last_name", "full_name_ar", "language", "is_active", "last_login"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Mowakaba"), {"fields": ("full_name_ar", "phone", "language")}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]
