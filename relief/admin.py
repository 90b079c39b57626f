"""Relief in the admin (its standards and the holiday calendar are the
core's dated parameters and calendar, edited in the core's admin): cases,
visits, objections and payrolls are read-only, because the procedure runs through the workbench's services, not the admin.  A benefit's
payee bank details and recheck date may be corrected here; its amount and
status change only through a recheck or a status change on the workbench.
Price-index figures are edited here (audited) as well as imported as a feed;
review tasks and price subsidies are read-only (feed rows are the core's).
Benefit rosters import through the workbench's chunked import
(good rows kept, bad rows reported), linked from each changelist; export is
import-export's, under the core's SafeExportMixin (masked, escaped, audited)."""

from django import forms
from django.contrib import admin
from django.template import engines
from django.utils.translation import gettext_lazy as _

from civil_affairs.admin import AuditedAdmin, SafeExportMixin

from .models import (
    Application,
    Benefit,
    HomeVisit,
    Objection,
    Payment,
    PayrollRoll,
    PriceIndex,
    PriceSubsidy,
    PriceSubsidyRate,
    PriceSubsidyRoll,
    ReviewTask,
)
from .resources import BenefitResource


class ImportLinkAdmin(SafeExportMixin, AuditedAdmin):
    change_list_template = "admin/registry_change_list.html"
    list_per_page = 50
    show_full_result_count = False


class ReadOnlyAuditedAdmin(AuditedAdmin):
    """Shown, searched and filtered; never added, changed or deleted here."""

    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over large tables per page view

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BenefitAdminForm(forms.ModelForm):
    class Meta:
        model = Benefit
        fields = ["bank_account", "bank_name", "next_recheck"]

    def clean_bank_account(self):
        account = self.cleaned_data["bank_account"].strip()
        if account and not (account.isdigit() and 12 <= len(account) <= 30):
            raise forms.ValidationError(_("银行账号应为12至30位数字。"))
        return account


# import-export's change list shows its parent's object tools only to those who
# may add; benefits are never added here, yet they are imported and exported.
_BENEFIT_CHANGE_LIST = engines["django"].from_string(
    '{% extends "admin/change_list.html" %}{% load i18n %}{% block object-tools-items %}'
    '<li><a href="{% url "workbench:import" %}?kind=relief_benefit" class="import_link">'
    '{% translate "导入（CSV/Excel）" %}</a></li>'
    '{% include "admin/import_export/change_list_export_item.html" %}{% endblock %}'
)


@admin.register(Benefit)
class BenefitAdmin(ImportLinkAdmin):
    form = BenefitAdminForm
    import_export_change_list_template = _BENEFIT_CHANGE_LIST
    resource_classes = [BenefitResource]
    import_kind = "relief_benefit"
    list_display = [
        "household",
        "recipient",
        "kind",
        "monthly_amount",
        "members",
        "start_month",
        "next_recheck",
        "status",
        "region",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["=household__number", "=recipient__id_number"]
    list_select_related = ["household", "recipient", "region"]
    fields = [
        "household",
        "recipient",
        "kind",
        "region",
        "monthly_amount",
        "members",
        "care_level",
        "start_month",
        "last_month",
        "stable",
        "status",
        "status_reason",
        "application",
        "bank_account",
        "bank_name",
        "next_recheck",
    ]
    readonly_fields = [f for f in fields if f not in ("bank_account", "bank_name", "next_recheck")]

    def has_add_permission(self, request):
        return False  # benefits come from a confirmed application or the roster import

    def has_delete_permission(self, request, obj=None):
        return False  # stop it on the workbench instead; its payments refer to it

    def save_model(self, request, obj, form, change):
        if "bank_account" in form.changed_data:  # the audit log keeps no account numbers
            form.cleaned_data = {**form.cleaned_data, "bank_account": "***"}
        super().save_model(request, obj, form, change)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VisitInline(ReadOnlyInline):
    model = HomeVisit
    fields = readonly_fields = ["visited_on", "first_visitor", "second_visitor", "living_conditions", "findings"]


class ObjectionInline(ReadOnlyInline):
    model = Objection
    fields = readonly_fields = ["received_on", "raised_by", "content", "recorded_by"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAuditedAdmin):
    """Read-only: the procedure runs through the workbench's services."""

    list_display = ["number", "kind", "state", "applicant", "region", "deadline", "created_at"]
    list_filter = ["state", "kind", "online"]
    search_fields = ["=number", "=applicant__id_number", "=household__number"]
    list_select_related = ["applicant", "region"]
    inlines = [VisitInline, ObjectionInline]
    ordering = ["-id"]  # the primary key index; same order as creation


@admin.register(HomeVisit)
class HomeVisitAdmin(ReadOnlyAuditedAdmin):
    list_display = ["application", "visited_on", "first_visitor", "second_visitor"]
    search_fields = ["=application__number"]
    list_select_related = ["application", "first_visitor", "second_visitor"]
    date_hierarchy = "visited_on"
    ordering = ["-id"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAuditedAdmin):
    list_display = ["application", "received_on", "raised_by", "recorded_by"]
    search_fields = ["=application__number"]
    list_select_related = ["application", "recorded_by"]
    date_hierarchy = "received_on"
    ordering = ["-id"]


@admin.register(PayrollRoll)
class PayrollRollAdmin(ReadOnlyAuditedAdmin):
    list_display = ["month", "district", "status", "approved_by", "approved_at"]
    list_filter = ["status", "month"]
    list_select_related = ["district", "approved_by"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAuditedAdmin):
    list_display = ["month", "roll", "recipient", "kind", "amount", "region"]
    list_filter = ["month", "kind"]
    search_fields = ["=recipient__id_number"]
    list_select_related = ["roll__district", "recipient", "region"]


@admin.register(PriceIndex)
class PriceIndexAdmin(AuditedAdmin):
    """Corrections to a published figure; the price-linkage batch reads these."""

    list_display = ["month", "region", "cpi_yoy", "food_yoy", "imported_at"]
    list_filter = ["month"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    fields = ["month", "region", "cpi_yoy", "food_yoy"]
    ordering = ["-month", "region"]


@admin.register(ReviewTask)
class ReviewTaskAdmin(ReadOnlyAuditedAdmin):
    """Read-only: caseworkers resolve tasks on the workbench."""

    list_display = ["kind", "benefit", "person", "region", "status", "due", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["=person__id_number", "=benefit__household__number"]
    list_select_related = ["benefit", "person", "region"]
    ordering = ["-id"]


@admin.register(PriceSubsidyRate)
class PriceSubsidyRateAdmin(ReadOnlyAuditedAdmin):
    list_display = ["month", "region", "cpi_yoy", "food_yoy", "rise", "standard", "amount"]
    list_filter = ["month"]
    list_select_related = ["region"]


@admin.register(PriceSubsidyRoll)
class PriceSubsidyRollAdmin(ReadOnlyAuditedAdmin):
    list_display = ["month", "district", "status", "approved_by", "approved_at"]
    list_filter = ["status", "month"]
    list_select_related = ["district", "approved_by"]


@admin.register(PriceSubsidy)
class PriceSubsidyAdmin(ReadOnlyAuditedAdmin):
    list_display = ["month", "roll", "person", "group", "amount", "region"]
    list_filter = ["month", "group"]
    search_fields = ["=person__id_number"]
    list_select_related = ["roll__district", "person", "region"]
