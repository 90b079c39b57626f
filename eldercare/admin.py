"""Eldercare in the admin: registers (institutions, beds, providers, price
lists, facilities and the memberships binding staff to them) are edited
here, audited, and exported under the core's SafeExportMixin; imports run
through the workbench's chunked import (import kinds registered in apps.py).
Payments, settlements, visits and stays change only through the services:
read-only here."""

from django.contrib import admin

from civil_affairs.admin import AuditedAdmin, SafeExportMixin

from .models import (
    Assessment,
    Bed,
    Facility,
    HomeCareOrder,
    Institution,
    InstitutionMember,
    Meal,
    MealPointMember,
    MealSettlement,
    Provider,
    ProviderMember,
    SeniorAllowance,
    SeniorAllowanceRoll,
    ServiceItem,
    Settlement,
    Stay,
    Visit,
)
from .resources import BedResource, InstitutionResource, ProviderResource, ServiceItemResource


class RegisterAdmin(SafeExportMixin, AuditedAdmin):
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


@admin.register(Institution)
class InstitutionAdmin(RegisterAdmin):
    resource_classes = [InstitutionResource]
    list_display = ["name", "filing_number", "operator", "star_grade", "medical", "region"]
    list_filter = ["operator", "star_grade", "medical"]
    search_fields = ["name", "filing_number"]
    raw_id_fields = ["region"]


@admin.register(Bed)
class BedAdmin(RegisterAdmin):
    resource_classes = [BedResource]
    list_display = ["institution", "room", "number", "kind", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["institution"]
    readonly_fields = ["status"]  # follows the resident (admission/discharge), never set by hand


@admin.register(Provider)
class ProviderAdmin(RegisterAdmin):
    resource_classes = [ProviderResource]
    list_display = ["name", "credit_code", "region", "active"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region"]


@admin.register(ServiceItem)
class ServiceItemAdmin(RegisterAdmin):
    resource_classes = [ServiceItemResource]
    list_display = ["provider", "code", "name", "unit_price"]
    raw_id_fields = ["provider"]


@admin.register(Facility)
class FacilityAdmin(RegisterAdmin):
    list_display = ["name", "kind", "region", "operator"]
    list_filter = ["kind"]
    raw_id_fields = ["region", "operator"]
    filter_horizontal = ["serves"]


@admin.register(ProviderMember, InstitutionMember, MealPointMember)
class MembershipAdmin(AuditedAdmin):
    raw_id_fields = ["user"]


for model in (
    SeniorAllowanceRoll,
    SeniorAllowance,
    Assessment,
    HomeCareOrder,
    Visit,
    Settlement,
    Stay,
    Meal,
    MealSettlement,
):
    admin.site.register(model, ReadOnlyAuditedAdmin)


# ---------------------------------------------------------------- visits to the vulnerable elderly
# The list is built by the nightly batch and visits are recorded by community workers: read-only here.
from .models import VulnerableElder, VulnerableVisit  # noqa: E402


@admin.register(VulnerableElder)
class VulnerableElderAdmin(ReadOnlyAuditedAdmin):
    list_display = ["person", "region", "reasons", "listed_on", "last_visit_on", "next_due", "ended_on", "end_reason"]
    list_filter = ["end_reason"]
    raw_id_fields = ["person", "region"]


@admin.register(VulnerableVisit)
class VulnerableVisitAdmin(ReadOnlyAuditedAdmin):
    list_display = ["entry", "visited_on", "seen", "on_time", "visitor", "relief_application"]
    list_filter = ["seen", "on_time"]
    raw_id_fields = ["entry", "person", "region", "visitor"]


# ---------------------------------------------------------------- home adaptations and family care beds
# Contractors are a register edited here; the cases change only through their services (read-only here).
from .models import Adaptation, AdaptationNeed, AdaptationPhoto, AssessmentRequest, Contractor  # noqa: E402


@admin.register(Contractor)
class ContractorAdmin(AuditedAdmin):
    list_display = ["name", "credit_code", "region", "phone", "active"]
    list_filter = ["active"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region"]
    list_per_page = 50


@admin.register(Adaptation)
class AdaptationAdmin(ReadOnlyAuditedAdmin):
    list_display = ["person", "kind", "region", "state", "cap", "budget", "paid_amount", "applied_at"]
    list_filter = ["kind", "state", "group", "channel"]
    raw_id_fields = ["person", "household", "region", "contractor"]


for model in (AdaptationNeed, AdaptationPhoto, AssessmentRequest):
    admin.site.register(model, ReadOnlyAuditedAdmin)
