"""Import-export for relief standards and benefit rosters (CSV and Excel).

Imports run through the workbench's chunked import
(civil_affairs.services.registry_import_run): good rows are kept, bad rows are
reported with their row number and a Chinese reason under the spreadsheet's
own column header.  Standards are written through the standard_set service
(audited); a roster row becomes a new benefit (audited) and never overwrites
one: changes to a live benefit go through a recheck."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from import_export import fields, widgets

from civil_affairs.models import AuditEvent, Household, HouseholdMember, Person, Region
from civil_affairs.resources import CodeForeignKeyWidget, StrictResource
from civil_affairs.rules import mask_id_number
from civil_affairs.services import audit_record

from .models import Benefit, Kind, Standard
from .services.standards import standard_set

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?"
                   r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def _text(value) -> str:
    """A cell as text: Excel gives numbers for digit-only codes."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value, *, month_only: bool) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1) if month_only else value
    text = _text(value)
    match = _DATE.match(text)
    try:
        if not match or (match.group(3) is None and not month_only):
            raise ValueError
        day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        if month_only:
            raise ValueError(_("月份格式应为 YYYY-MM：%(v)s") % {"v": text}) from None
        raise ValueError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": text}) from None
    return day.replace(day=1) if month_only else day


class DayWidget(widgets.DateWidget):
    """'2026-12-15', '2026/12/15', '2026年12月15日' or an Excel date."""

    def clean(self, value, row=None, **kwargs):
        return _parse_date(value, month_only=False)


class MonthWidget(widgets.DateWidget):
    """'2026-12', '2026-12-15' or an Excel date → the first day of that month."""

    def clean(self, value, row=None, **kwargs):
        return _parse_date(value, month_only=True)

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%Y-%m") if value else ""


class NumberWidget(widgets.DecimalWidget):
    """A decimal; thousands separators allowed; anything else is a row error in Chinese."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = format(value, ".12g") if isinstance(value, float) else _text(value).replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("应为数字：%(v)s") % {"v": _text(value)}) from None
        if not number.is_finite():
            raise ValueError(_("应为数字：%(v)s") % {"v": _text(value)})
        return number


class CountWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            number = Decimal(_text(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("应为整数：%(v)s") % {"v": _text(value)})
        return int(number)


class TextWidget(widgets.Widget):
    def __init__(self, upper: bool = False):
        super().__init__()
        self.upper = upper

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return text.upper() if self.upper else text


class KeyWidget(CodeForeignKeyWidget):
    """A foreign key by its code; Excel numbers and lower-case 'x' accepted."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value).upper()
        return super().clean(text or None, row=row, **kwargs)


class ChoiceWidget(widgets.Widget):
    """A choice given by its code or its Chinese label."""

    def __init__(self, choices):
        super().__init__()
        self.by_text = {str(label): code for code, label in choices} | {code: code for code, _label in choices}

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return ""
        if text not in self.by_text:
            raise ValueError(_("无法识别的值：%(v)s") % {"v": text})
        return self.by_text[text]


class ReliefResource(StrictResource):
    """Every row's problems are collected (widgets, the checks in check_row,
    the model's own validation) and reported under the Chinese column headers."""

    required: tuple[str, ...] = ()
    # attribute → model fields derived from it, not validated when it is wrong
    derived: dict[str, tuple[str, ...]] = {}

    class Meta(StrictResource.Meta):
        abstract = True

    def before_import(self, dataset, **kwargs):
        self.actor = kwargs.get("user")
        headers = {str(h).strip() for h in (dataset.headers or [])}
        self.missing_columns = [self.fields[a].column_name for a in self.required
                                if self.fields[a].column_name not in headers]

    def check_row(self, instance, errors: dict) -> None:
        """Add business problems to `errors` (attribute → message)."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if getattr(self, "missing_columns", None):
            errors[NON_FIELD_ERRORS] = [_("文件缺少列：%(c)s") % {"c": "、".join(self.missing_columns)}]
        else:
            for attr in self.required:
                field = instance._meta.get_field(attr)
                if attr not in errors and getattr(instance, field.attname) in (None, ""):
                    errors[attr] = [_("不能为空。")]
            self.check_row(instance, errors)
        exclude = set(errors)
        for attr, dependants in self.derived.items():
            if attr in errors:
                exclude.update(dependants)
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(self._by_column(errors))

    def _by_column(self, errors: dict) -> dict:
        columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        labelled = {}
        for key, messages in errors.items():
            if key == NON_FIELD_ERRORS:
                label = key
            elif key in columns:
                label = columns[key]
            else:
                try:
                    label = str(self._meta.model._meta.get_field(key).verbose_name)
                except FieldDoesNotExist:  # a constraint's name or another non-field key
                    label = NON_FIELD_ERRORS
            labelled.setdefault(label, []).extend(messages if isinstance(messages, list) else [messages])
        return labelled


class StandardResource(ReliefResource):
    """One dated value per row; a row for an existing region + item + date corrects its value."""

    region = fields.Field(attribute="region", column_name="区划代码", widget=KeyWidget(Region, field="code"))
    key = fields.Field(attribute="key", column_name="项目", widget=ChoiceWidget(Standard.Key.choices))
    value = fields.Field(attribute="value", column_name="数值", widget=NumberWidget())
    effective_from = fields.Field(attribute="effective_from", column_name="生效日期", widget=DayWidget())
    note = fields.Field(attribute="note", column_name="依据/说明", widget=TextWidget())

    required = ("region", "key", "value", "effective_from")

    class Meta(StrictResource.Meta):
        model = Standard
        import_id_fields = ("region", "key", "effective_from")
        fields = ("region", "key", "value", "effective_from", "note")
        export_order = fields

    def get_queryset(self):
        return Standard.objects.select_related("region")

    def check_row(self, instance, errors):
        if "value" not in errors and instance.value is not None and instance.value < 0:
            errors["value"] = [_("数值不能为负数。")]

    def do_instance_save(self, instance, is_create):
        """Through the service, so each new or changed value is audited."""
        saved = standard_set(actor=getattr(self, "actor", None), region=instance.region, key=instance.key,
                             value=instance.value, effective_from=instance.effective_from, note=instance.note or "")
        instance.pk = saved.pk


class BenefitResource(ReliefResource):
    """An existing roster being migrated: one row per household and kind.
    The region comes from the household; the recipient must be one of its
    living members; a household has at most one live benefit of a kind."""

    household = fields.Field(attribute="household", column_name="户编号",
                             widget=KeyWidget(Household, field="number"))
    recipient = fields.Field(attribute="recipient", column_name="领取人身份证号",
                             widget=KeyWidget(Person, field="id_number"))
    kind = fields.Field(attribute="kind", column_name="救助类别", widget=ChoiceWidget(Kind.choices))
    monthly_amount = fields.Field(attribute="monthly_amount", column_name="月救助金额", widget=NumberWidget())
    start_month = fields.Field(attribute="start_month", column_name="起始月份", widget=MonthWidget())
    members = fields.Field(attribute="members", column_name="保障人数", widget=CountWidget())
    bank_account = fields.Field(attribute="bank_account", column_name="银行账号", widget=TextWidget())
    bank_name = fields.Field(attribute="bank_name", column_name="开户银行", widget=TextWidget())
    next_recheck = fields.Field(attribute="next_recheck", column_name="下次复核日期", widget=DayWidget())

    required = ("household", "recipient", "kind", "monthly_amount", "start_month")
    derived = {"household": ("region", "members")}

    class Meta(StrictResource.Meta):
        model = Benefit
        import_id_fields = ("household", "kind")
        force_init_instance = True  # every row is a new benefit; never overwrite one
        fields = ("household", "recipient", "kind", "monthly_amount", "start_month", "members", "bank_account",
                  "bank_name", "next_recheck")
        export_order = fields

    masked_on_export = {"recipient": mask_id_number, "bank_account": lambda account: f"****{account[-4:]}"}

    def get_queryset(self):
        return Benefit.objects.select_related("household", "recipient")

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if instance.household_id:  # before validation: the region comes from the household
                instance.region_id = instance.household.region_id

    def check_row(self, instance, errors):
        if "kind" not in errors and instance.kind == Kind.TEMPORARY:
            errors["kind"] = [_("临时救助为一次性发放，不能按花名册导入。")]
        if "monthly_amount" not in errors and instance.monthly_amount is not None and instance.monthly_amount < 0:
            errors["monthly_amount"] = [_("月救助金额不能为负数。")]
        if "members" not in errors and instance.members is not None and instance.members < 1:
            errors["members"] = [_("保障人数至少为1人。")]
        account = instance.bank_account
        if "bank_account" not in errors and account and not (account.isdigit() and 12 <= len(account) <= 30):
            errors["bank_account"] = [_("银行账号应为12至30位数字（Excel 中请将该列设为文本）：%(v)s") % {"v": account}]
        if "household" in errors or not instance.household_id:
            return
        if "recipient" not in errors and instance.recipient_id:
            if not HouseholdMember.objects.filter(household_id=instance.household_id,
                                                  person_id=instance.recipient_id).exists():
                errors["recipient"] = [_("领取人不是该户成员。")]
            elif instance.recipient.death_date:
                errors["recipient"] = [_("领取人已死亡（%(d)s）。") % {"d": instance.recipient.death_date.isoformat()}]
        if instance.members is None:
            instance.members = HouseholdMember.objects.filter(household_id=instance.household_id).count() or 1
        if "kind" not in errors and instance.kind and self._live_clash(instance):
            errors["kind"] = [_("该户已有在享的%(kind)s待遇，不能重复导入。") % {"kind": Kind(instance.kind).label}]

    @staticmethod
    def _live_clash(instance) -> bool:
        return Benefit.objects.filter(household_id=instance.household_id, kind=instance.kind).exclude(
            status=Benefit.Status.STOPPED).exists()

    def do_instance_save(self, instance, is_create):
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
        except IntegrityError:  # a live benefit of that kind appeared meanwhile
            raise ValidationError({self.fields["kind"].column_name: [
                _("该户已有在享的%(kind)s待遇，不能重复导入。") % {"kind": Kind(instance.kind).label}]}) from None
        audit_record(actor=getattr(self, "actor", None), action=AuditEvent.Action.CREATE, target=instance,
                     region_code=instance.region_id,
                     changes={"import": True, "kind": instance.kind, "amount": instance.monthly_amount,
                              "start_month": instance.start_month, "household": instance.household.number})
