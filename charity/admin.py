"""Charity in the admin: the organisation register is edited here (audited) and
imported through the workbench's chunked import; money records (donations,
the ledger, receipts, disbursements) are read-only here, because they change
only through the services (the ledger cannot change at all)."""

from django.contrib import admin

from civil_affairs.admin import AuditedAdmin, SafeExportMixin

from .models import (
    Campaign,
    Disbursement,
    Disclosure,
    Donation,
    Donor,
    Fund,
    FundraisingPlan,
    LedgerEntry,
    Organisation,
    Project,
    Receipt,
    StaffMembership,
)
from .resources import DonationResource, OrganisationResource, ReceiptResource


@admin.register(Organisation)
class OrganisationAdmin(SafeExportMixin, AuditedAdmin):
    change_list_template = "admin/registry_change_list.html"
    import_kind = "charity_organisation"
    resource_classes = [OrganisationResource]
    list_display = ["name", "org_type", "region", "recognition", "public_fundraising", "rating"]
    list_filter = ["org_type", "recognition", "public_fundraising"]
    search_fields = ["name"]
    raw_id_fields = ["region"]
    list_per_page = 50
    show_full_result_count = False


@admin.register(StaffMembership)
class StaffMembershipAdmin(AuditedAdmin):
    list_display = ["user", "organisation"]
    raw_id_fields = ["user", "organisation"]


@admin.register(Fund, Project, Campaign, FundraisingPlan, Disclosure)
class SetupAdmin(AuditedAdmin):
    list_per_page = 50


class ReadOnly(SafeExportMixin, AuditedAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Donation)
class DonationAdmin(ReadOnly):
    resource_classes = [DonationResource]
    list_display = ["received_on", "organisation", "donor", "anonymous", "kind", "amount", "transaction_id"]
    list_select_related = ["organisation", "donor"]
    list_filter = ["kind", "anonymous"]
    raw_id_fields = ["donor", "campaign", "fund", "project"]


@admin.register(Donor)
class DonorAdmin(ReadOnly):
    list_display = ["name", "kind", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    resource_classes = [ReceiptResource]
    list_display = ["code", "organisation", "donor", "amount", "issued_on", "void"]
    list_select_related = ["organisation", "donor"]
    list_filter = ["kind", "void", "year"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ["id", "entered_on", "organisation", "kind", "amount", "fund", "project", "reverses"]
    list_select_related = ["organisation", "fund", "project"]
    list_filter = ["kind"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnly):
    list_display = ["id", "organisation", "beneficiary_kind", "amount", "status", "paid_on"]
    list_select_related = ["organisation"]
    list_filter = ["status", "beneficiary_kind"]
