"""Childcare in the admin: the registry of children in distress and left
behind and the child directors' roster with import (the workbench's chunked
import, kinds childcare_child / childcare_director) and export (masked,
escaped, audited: the core's SafeExportMixin); supervisors, staff scope and
stations edited here (audited); cases, allowances and rolls read-only (their
changes go through the services)."""

from django.contrib import admin

from civil_affairs.admin import AuditedAdmin, SafeExportMixin

from .models import (
    Allowance,
    AllowancePayment,
    AllowanceRoll,
    Case,
    Child,
    Director,
    DiscoveryTask,
    Staff,
    Station,
    StationStaff,
    Supervisor,
)
from .resources import ChildResource, DirectorResource


class ImportLinkAdmin(SafeExportMixin, AuditedAdmin):
    change_list_template = "admin/registry_change_list.html"
    list_per_page = 50
    show_full_result_count = False


class ReadOnlyAuditedAdmin(AuditedAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Child)
class ChildAdmin(ImportLinkAdmin):
    resource_classes = [ChildResource]
    import_kind = "childcare_child"
    list_display = ["person", "kind", "risk", "next_visit_due", "region"]
    list_filter = ["kind", "risk"]
    search_fields = ["=person__id_number"]
    list_select_related = ["person", "region"]
    raw_id_fields = ["person", "guardian", "region"]
    readonly_fields = ["risk", "version", "first_visit_due", "last_visit_on", "next_visit_due", "registered_on"]

    def has_add_permission(self, request):
        return False  # registered on the workbench or imported (first visit due, risk version 1)


@admin.register(Director)
class DirectorAdmin(ImportLinkAdmin):
    resource_classes = [DirectorResource]
    import_kind = "childcare_director"
    list_display = ["region", "user", "phone", "since"]
    search_fields = ["=region__code", "region__name", "user__username"]
    list_select_related = ["region", "user"]
    raw_id_fields = ["user", "region"]


@admin.register(Supervisor)
class SupervisorAdmin(AuditedAdmin):
    list_display = ["region", "user", "phone", "since"]
    search_fields = ["=region__code", "region__name", "user__username"]
    list_select_related = ["region", "user"]
    raw_id_fields = ["user", "region"]


@admin.register(Staff)
class StaffAdmin(AuditedAdmin):
    list_display = ["user", "note"]
    raw_id_fields = ["user"]


class StationStaffInline(admin.TabularInline):
    model = StationStaff
    extra = 1


@admin.register(Station)
class StationAdmin(AuditedAdmin):
    list_display = ["name", "region", "phone"]
    search_fields = ["name", "=region__code"]
    raw_id_fields = ["region"]
    inlines = [StationStaffInline]


@admin.register(Case)
class CaseAdmin(ReadOnlyAuditedAdmin):
    list_display = ["number", "child", "category", "state", "submitted_on", "region"]
    list_filter = ["state", "category"]
    search_fields = ["=number", "=child__id_number"]
    list_select_related = ["child", "region"]


@admin.register(Allowance)
class AllowanceAdmin(ReadOnlyAuditedAdmin):
    list_display = ["child", "category", "setting", "start_month", "last_month", "status", "region"]
    list_filter = ["status", "category", "setting"]
    search_fields = ["=child__id_number"]
    list_select_related = ["child", "region"]


@admin.register(AllowanceRoll)
class AllowanceRollAdmin(ReadOnlyAuditedAdmin):
    list_display = ["month", "district", "status", "approved_by", "approved_at"]
    list_filter = ["status"]


@admin.register(AllowancePayment)
class AllowancePaymentAdmin(ReadOnlyAuditedAdmin):
    list_display = ["month", "child", "category", "amount", "region", "held"]
    list_select_related = ["child", "region"]
    search_fields = ["=child__id_number"]


@admin.register(DiscoveryTask)
class DiscoveryTaskAdmin(ReadOnlyAuditedAdmin):
    list_display = ["child", "parent", "event", "status", "region", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["child", "parent", "region"]
