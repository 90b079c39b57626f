"""Import-export for relief's benefit rosters (CSV and Excel).

Imports run through the workbench's chunked import
(civil_affairs.services.registry_import_run): good rows are kept, bad rows are
reported with their row number and a Chinese reason under the spreadsheet's
own column header (civil_affairs.resources.CheckedResource).  A roster row
becomes a new benefit (audited) and never overwrites one: changes to a live
benefit go through a recheck.  Standards are the core's dated parameters
(import kind "parameter")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from import_export import fields

from civil_affairs.models import AuditEvent, Household, HouseholdMember, Person
from civil_affairs.resources import (
    CheckedResource,
    ChoiceWidget,
    CountWidget,
    DayWidget,
    KeyWidget,
    MonthWidget,
    NumberWidget,
    StrictResource,
    TextWidget,
)
from civil_affairs.rules import mask_id_number
from civil_affairs.services import audit_record

from .models import Benefit, Kind


class BenefitResource(CheckedResource):
    """An existing roster being migrated: one row per household and kind.
    The region comes from the household; the recipient must be one of its
    living members; a household has at most one live benefit of a kind."""

    household = fields.Field(attribute="household", column_name="户编号", widget=KeyWidget(Household, field="number"))
    recipient = fields.Field(
        attribute="recipient", column_name="领取人身份证号", widget=KeyWidget(Person, field="id_number")
    )
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
        fields = (
            "household",
            "recipient",
            "kind",
            "monthly_amount",
            "start_month",
            "members",
            "bank_account",
            "bank_name",
            "next_recheck",
        )
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
            if not HouseholdMember.objects.filter(
                household_id=instance.household_id, person_id=instance.recipient_id
            ).exists():
                errors["recipient"] = [_("领取人不是该户成员。")]
            elif instance.recipient.death_date:
                errors["recipient"] = [_("领取人已死亡（%(d)s）。") % {"d": instance.recipient.death_date.isoformat()}]
        if instance.members is None:
            instance.members = HouseholdMember.objects.filter(household_id=instance.household_id).count() or 1
        if "kind" not in errors and instance.kind and self._live_clash(instance):
            errors["kind"] = [_("该户已有在享的%(kind)s待遇，不能重复导入。") % {"kind": Kind(instance.kind).label}]

    @staticmethod
    def _live_clash(instance) -> bool:
        return (
            Benefit.objects.filter(household_id=instance.household_id, kind=instance.kind)
            .exclude(status=Benefit.Status.STOPPED)
            .exists()
        )

    def do_instance_save(self, instance, is_create):
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
        except IntegrityError:  # a live benefit of that kind appeared meanwhile
            raise ValidationError(
                {
                    self.fields["kind"].column_name: [
                        _("该户已有在享的%(kind)s待遇，不能重复导入。") % {"kind": Kind(instance.kind).label}
                    ]
                }
            ) from None
        audit_record(
            actor=getattr(self, "actor", None),
            action=AuditEvent.Action.CREATE,
            target=instance,
            region_code=instance.region_id,
            changes={
                "import": True,
                "kind": instance.kind,
                "amount": instance.monthly_amount,
                "start_month": instance.start_month,
                "household": instance.household.number,
            },
        )
