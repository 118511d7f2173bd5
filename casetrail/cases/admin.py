"""Read-only admin views. Writes go through actions, never through the admin: the site edits
nothing, not the calendar (`/calendar/<year>/`, `do_set_calendar_year`), not the accounts and
groups (`actions/accounts.py`), whose default admins are replaced by read-only ones.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from casetrail.cases import models
from casetrail.ledger.models import LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ("name", "short_name", "profile_key")


@admin.register(models.Officer)
class OfficerAdmin(ReadOnlyAdmin):
    list_display = ("name", "certificate_number", "certificate_valid_from", "certificate_valid_to")


@admin.register(models.Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("officer", "agency", "role")


@admin.register(models.Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("case_number", "agency", "start_type", "stage", "opened_at")
    search_fields = ("case_number", "cause")


@admin.register(models.Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "case")


@admin.register(models.Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("case", "subject", "step", "decision", "officer_name", "acted_at")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("agency", "id", "action", "recorded_at", "leaf_hash")
    list_filter = ("agency", "action")


@admin.register(models.CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "is_working_day", "name", "calendar")


@admin.register(models.CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    list_display = ("year", "source", "entered_at", "entered_by")


for _model in (User, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "first_name", "is_active", "is_staff", "is_superuser")
    exclude = ("password",)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    list_display = ("name",)
