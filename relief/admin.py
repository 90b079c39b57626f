"""Relief in the admin: standards and the holiday calendar are edited here;
cases are worked on the workbench (read-only here).  Standards and benefit
rosters import through the workbench's chunked import (good rows kept, bad
rows reported), linked from each changelist; export is import-export's."""
from django.contrib import admin
from import_export.admin import ExportMixin

from civil_affairs.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Application, Benefit, CalendarDay, HomeVisit, Objection, Payment, PayrollRoll, Standard
from .resources import BenefitResource, StandardResource


class ImportLinkAdmin(ExportMixin, AuditedAdmin):
    change_list_template = "admin/registry_change_list.html"
    list_per_page = 50
    show_full_result_count = False


@admin.register(Standard)
class StandardAdmin(ImportLinkAdmin):
    resource_classes = [StandardResource]
    import_kind = "relief_standard"
    list_display = ["key", "region", "value", "effective_from", "note"]
    list_filter = ["key", "effective_from"]
    search_fields = ["region__code", "region__name", "note"]
    raw_id_fields = ["region"]
    date_hierarchy = "effective_from"


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


@admin.register(Benefit)
class BenefitAdmin(ImportLinkAdmin):
    resource_classes = [BenefitResource]
    import_kind = "relief_benefit"
    list_display = ["household", "recipient", "kind", "monthly_amount", "start_month", "next_recheck", "status",
                    "region"]
    list_filter = ["kind", "status"]
    search_fields = ["household__number", "recipient__id_number"]
    raw_id_fields = ["household", "recipient", "region", "application"]
    list_select_related = ["household", "recipient", "region"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VisitInline(ReadOnlyInline):
    model = HomeVisit
    readonly_fields = ["visited_on", "first_visitor", "second_visitor", "living_conditions", "findings"]


class ObjectionInline(ReadOnlyInline):
    model = Objection
    readonly_fields = ["received_on", "raised_by", "content", "recorded_by"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Read-only: the procedure runs through the workbench's services."""

    list_display = ["number", "kind", "state", "applicant", "region", "deadline", "created_at"]
    list_filter = ["kind", "state"]
    search_fields = ["number", "applicant__id_number", "household__number"]
    list_select_related = ["applicant", "region"]
    inlines = [VisitInline, ObjectionInline]
    show_full_result_count = False


@admin.register(PayrollRoll)
class PayrollRollAdmin(ReadOnlyAdmin):
    list_display = ["month", "district", "status", "approved_by", "approved_at"]
    list_filter = ["status", "month"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["month", "roll", "recipient", "kind", "amount", "region"]
    list_filter = ["month", "kind"]
    search_fields = ["recipient__id_number"]
    list_select_related = ["roll__district", "recipient", "region"]
    show_full_result_count = False
