"""Import-export for relief standards and benefit rosters (CSV and Excel).
Imports run through the workbench's chunked import: good rows are kept, bad
rows are reported with their row number and reason."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from civil_affairs.models import Household, HouseholdMember, Person, Region
from civil_affairs.resources import CodeForeignKeyWidget, StrictResource

from .models import Benefit, Kind, Standard


class MonthWidget(widgets.DateWidget):
    """'2026-12', '2026-12-15' or an Excel date → the first day of that month."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.replace(day=1)
        text = str(value).strip()
        try:
            return dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01").replace(day=1)
        except ValueError:
            raise ValueError(_("月份格式应为 YYYY-MM：%(v)s") % {"v": text}) from None


class ChoiceWidget(widgets.Widget):
    """A choice given by its code or its Chinese label."""

    def __init__(self, choices):
        super().__init__()
        self.by_text = {str(label): code for code, label in choices} | {code: code for code, _label in choices}

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if text not in self.by_text:
            raise ValueError(_("无法识别的值：%(v)s") % {"v": text})
        return self.by_text[text]


class StandardResource(StrictResource):
    region = fields.Field(attribute="region", column_name="区划代码", widget=CodeForeignKeyWidget(Region, field="code"))
    key = fields.Field(attribute="key", column_name="项目", widget=ChoiceWidget(Standard.Key.choices))
    value = fields.Field(attribute="value", column_name="数值", widget=widgets.DecimalWidget())
    effective_from = fields.Field(attribute="effective_from", column_name="生效日期", widget=widgets.DateWidget())
    note = fields.Field(attribute="note", column_name="依据/说明")

    class Meta(StrictResource.Meta):
        model = Standard
        import_id_fields = ("region", "key", "effective_from")
        fields = ("region", "key", "value", "effective_from", "note")
        export_order = fields


class BenefitResource(StrictResource):
    """An existing roster: one row per household and kind."""

    household = fields.Field(attribute="household", column_name="户编号",
                             widget=CodeForeignKeyWidget(Household, field="number"))
    recipient = fields.Field(attribute="recipient", column_name="领取人身份证号",
                             widget=CodeForeignKeyWidget(Person, field="id_number"))
    kind = fields.Field(attribute="kind", column_name="救助类别", widget=ChoiceWidget(Kind.choices))
    monthly_amount = fields.Field(attribute="monthly_amount", column_name="月救助金额", widget=widgets.DecimalWidget())
    start_month = fields.Field(attribute="start_month", column_name="起始月份", widget=MonthWidget())
    members = fields.Field(attribute="members", column_name="保障人数", widget=widgets.IntegerWidget())
    bank_account = fields.Field(attribute="bank_account", column_name="银行账号")
    bank_name = fields.Field(attribute="bank_name", column_name="开户银行")
    next_recheck = fields.Field(attribute="next_recheck", column_name="下次复核日期", widget=widgets.DateWidget())

    class Meta(StrictResource.Meta):
        model = Benefit
        import_id_fields = ("household", "kind")
        fields = ("household", "recipient", "kind", "monthly_amount", "start_month", "members", "bank_account",
                  "bank_name", "next_recheck")
        export_order = fields

    def before_import_row(self, row, **kwargs):
        for column in ("领取人身份证号", "银行账号", "户编号"):
            if row.get(column) is not None:
                row[column] = str(row[column]).strip().upper() if column != "银行账号" else str(row[column]).strip()
        try:
            if Decimal(str(row.get("月救助金额") or "0")) < 0:
                raise ValidationError({"monthly_amount": _("月救助金额不能为负数。")})
        except InvalidOperation:
            raise ValidationError({"monthly_amount": _("月救助金额应为数字。")}) from None

    def before_save_instance(self, instance, row, **kwargs):
        """Region from the household; the recipient must be one of its members."""
        instance.region_id = instance.household.region_id
        if not HouseholdMember.objects.filter(household=instance.household, person=instance.recipient).exists():
            raise ValidationError(_("领取人不是该户成员。"))
        clash = Benefit.objects.filter(household=instance.household, kind=instance.kind).exclude(
            status=Benefit.Status.STOPPED).exclude(pk=instance.pk)
        if instance.kind != Kind.TEMPORARY and clash.exists():
            raise ValidationError(_("该户已有同类在享待遇。"))

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.household_id:  # before validation: the region comes from the household
            instance.region_id = instance.household.region_id
