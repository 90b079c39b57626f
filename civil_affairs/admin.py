"""Django admin for the shared core.  Export goes through django-import-export;
import goes through the workbench's chunked import (good rows kept, bad rows
reported with row numbers), reached from each changelist."""

import tablib
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from . import rules, services
from .exports import safe_row
from .models import (
    AssetRecord,
    AuditEvent,
    BatchRun,
    CalendarDay,
    Document,
    ExpenditureRecord,
    FeedRecord,
    Household,
    HouseholdMember,
    IncomeRecord,
    Parameter,
    Person,
    Region,
    User,
)
from .parameters import parameter_keys, parameter_label, value_problem
from .permissions import has_capability
from .resources import HouseholdMemberResource, HouseholdResource, ParameterResource, PersonResource, RegionResource

admin.site.site_header = _("民政业务平台 管理后台")
admin.site.site_title = _("民政业务平台")
admin.site.index_title = _("系统配置与基础数据")


class AuditedAdmin(admin.ModelAdmin):
    """Changes made in the admin land in the audit log like any other change,
    and so does opening a record's page (a view of the full record)."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                services.record_viewed(actor=request.user, target=obj, changes={"admin": True})
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = {name: form.cleaned_data.get(name) for name in form.changed_data if name != "password"}
        if "id_number" in changed:  # the log keeps the masked number, as every service does
            changed["id_number"] = rules.mask_id_number(changed["id_number"] or "")
        services.audit_record(
            actor=request.user,
            target=obj,
            changes={"admin": True, **changed},
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
        )

    def delete_model(self, request, obj):
        services.audit_record(
            actor=request.user,
            target=obj,
            action=AuditEvent.Action.DELETE,
            changes={"admin": True, "deleted": str(obj)},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.audit_record(
                actor=request.user,
                target=obj,
                action=AuditEvent.Action.DELETE,
                changes={"admin": True, "deleted": str(obj)},
            )
        super().delete_queryset(request, queryset)


class SafeExportMixin(ExportMixin):
    """django-import-export's admin export under the workbench's rules: only
    for those who may view the model; ID numbers, phones (and bank accounts)
    masked unless the user has the `full_id_number` capability (the resource
    masks, see StrictResource); every cell safe from formula injection; every
    export audited with its filters, selected rows and row count."""

    def has_export_permission(self, request):
        # admin_view only checks is_staff: a staff user without view rights must not export
        return super().has_export_permission(request) and self.has_view_permission(request)

    def get_valid_export_item_pks(self, request):
        # The library's default lists every key of the table (a million people) to
        # validate a selection; only the selected rows the user may see are needed.
        selected = request.POST.getlist("export_items")
        try:
            return list(self.get_queryset(request).filter(pk__in=selected).values_list("pk", flat=True))
        except (TypeError, ValueError):
            return []

    def get_export_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_export_resource_kwargs(request, **kwargs),
            "full_numbers": has_capability(request.user, "full_id_number"),
        }

    def get_data_for_export(self, request, queryset, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        form = kwargs.get("export_form")
        selected = (form.cleaned_data.get("export_items") or []) if form is not None and form.is_bound else []
        services.export_recorded(
            actor=request.user,
            target_type=self.model._meta.label_lower,
            filters={
                "admin": True,
                **request.GET.dict(),
                "selected": [str(pk) for pk in selected],
                "rows": len(dataset),
                "full_numbers": has_capability(request.user, "full_id_number"),
            },
        )
        return tablib.Dataset(
            *(safe_row(row) for row in dataset), headers=safe_row(dataset.headers or []), title=dataset.title
        )


class RegistryAdmin(SafeExportMixin, AuditedAdmin):
    change_list_template = "admin/registry_change_list.html"
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over the registry per page view


@admin.register(Region)
class RegionAdmin(RegistryAdmin):
    resource_classes = [RegionResource]
    list_display = ["code", "name", "level", "parent", "is_urban"]
    list_filter = ["level", "is_urban"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    import_kind = "region"


class MemberInline(admin.TabularInline):
    model = HouseholdMember
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Person)
class PersonAdmin(RegistryAdmin):
    resource_classes = [PersonResource]
    list_display = ["masked_id", "name", "sex", "birth_date", "residence_region", "disability_grade", "death_date"]
    list_filter = ["sex", "disability_grade", "labour_capacity"]
    search_fields = ["=id_number", "name", "=phone"]
    raw_id_fields = ["hukou_region", "residence_region"]
    readonly_fields = ["sex", "birth_date", "created_at", "updated_at"]
    list_select_related = ["residence_region"]
    import_kind = "person"

    @admin.display(description=_("公民身份号码"), ordering="id_number")
    def masked_id(self, obj):
        return rules.mask_id_number(obj.id_number)


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    resource_classes = [HouseholdResource]
    list_display = ["number", "region", "address", "created_at"]
    search_fields = ["=number", "address"]
    raw_id_fields = ["region"]
    inlines = [MemberInline]
    list_select_related = ["region"]
    import_kind = "household"


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(RegistryAdmin):
    resource_classes = [HouseholdMemberResource]
    list_display = ["household", "person", "relation"]
    raw_id_fields = ["household", "person"]
    list_filter = ["relation"]
    list_select_related = ["household", "person"]
    import_kind = "member"


class RecordAdmin(AuditedAdmin):
    list_display = ["household", "person", "kind", "amount", "period_start", "period_end", "source"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["household", "person"]
    list_select_related = ["household", "person"]
    show_full_result_count = False


admin.site.register(IncomeRecord, RecordAdmin)
admin.site.register(AssetRecord, RecordAdmin)
admin.site.register(ExpenditureRecord, RecordAdmin)


@admin.register(Document)
class DocumentAdmin(AuditedAdmin):
    list_display = ["original_name", "kind", "household", "person", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    raw_id_fields = ["household", "person", "uploaded_by"]
    readonly_fields = ["file", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "role", "region", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    raw_id_fields = ["region", "person"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("角色与辖区"), {"fields": ("role", "region", "person", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("角色与辖区"), {"fields": ("role", "region")}),)

    def user_change_password(self, request, id, form_url=""):
        """An administrator resetting a password bypasses save_model: audit it here
        (a successful POST redirects; the password itself is never recorded)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            services.audit_record(
                actor=request.user,
                action=AuditEvent.Action.UPDATE,
                target=user,
                region_code=user.region_id or "",
                changes={"admin": True, "password": "reset"},
            )
        return response


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "region_code", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["=actor_label", "=target_id"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(BatchRun)
class BatchRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "status", "done", "total", "error_count", "created_by", "started_at", "finished_at"]
    list_filter = ["kind", "status"]


@admin.register(FeedRecord)
class FeedRecordAdmin(AuditedAdmin):
    """Data-exchange feed rows (civil_affairs/feeds.py): shown, searched and filtered, never edited here."""

    list_display = ["kind", "masked_id_number", "name", "key", "event_date", "amount", "imported_at", "checked_at"]
    list_filter = ["kind", "checked_at"]
    search_fields = ["=id_number"]
    date_hierarchy = "event_date"
    ordering = ["-id"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over millions of rows per page view

    @admin.display(description=_("公民身份号码"))
    def masked_id_number(self, obj):
        return rules.mask_id_number(obj.id_number)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- dated parameters and the calendar


class ParameterForm(forms.ModelForm):
    """The key is one of the registered ones (label and unit shown); the value is
    checked against the key's bounds (civil_affairs.parameters)."""

    key = forms.ChoiceField(label=_("参数"))

    class Meta:
        model = Parameter
        fields = ["region", "key", "value", "effective_from", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [("", "---------")] + [
            (k.key, f"{k.label}（{k.unit}）" if k.unit else str(k.label)) for k in parameter_keys().values()
        ]

    def clean(self):
        data = super().clean()
        key, value = parameter_keys().get(data.get("key")), data.get("value")
        if key is not None and value is not None:
            problem = value_problem(key, value)
            if problem:
                self.add_error("value", problem)
        return data


class ParameterKeyFilter(admin.SimpleListFilter):
    title = _("参数")
    parameter_name = "key"

    def lookups(self, request, model_admin):
        return [(k.key, k.label) for k in parameter_keys().values()]

    def queryset(self, request, queryset):
        return queryset.filter(key=self.value()) if self.value() else queryset


class ParameterRegionFilter(admin.SimpleListFilter):
    """Only the regions that have parameters (a handful), not the whole tree."""

    title = _("区划")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        codes = Parameter.objects.order_by("region_id").values_list("region_id", flat=True).distinct()
        return [(r.code, f"{r.name}（{r.code}）") for r in Region.objects.filter(code__in=list(codes)).order_by("code")]

    def queryset(self, request, queryset):
        return queryset.filter(region_id=self.value()) if self.value() else queryset


@admin.register(Parameter)
class ParameterAdmin(RegistryAdmin):
    form = ParameterForm
    resource_classes = [ParameterResource]
    import_kind = "parameter"
    list_display = ["key_label", "key", "region", "value", "unit", "effective_from", "note"]
    list_filter = [ParameterKeyFilter, ParameterRegionFilter, "effective_from"]
    search_fields = ["=key", "=region__code", "region__name", "note"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    date_hierarchy = "effective_from"
    ordering = ["key", "region", "-effective_from"]

    @admin.display(description=_("项目"), ordering="key")
    def key_label(self, obj):
        return parameter_label(obj.key)

    @admin.display(description=_("单位"))
    def unit(self, obj):
        key = parameter_keys().get(obj.key)
        return key.unit if key else ""


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    """Holidays and 调休 working days.  A day saved here becomes the
    administrator's (source admin): a later calendar_seed never changes it."""

    list_display = ["date", "is_working_day", "name", "source"]
    list_filter = ["is_working_day", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        obj.source = CalendarDay.Source.ADMIN
        super().save_model(request, obj, form, change)
