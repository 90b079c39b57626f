"""Eldercare (养老服务) tables and their invariants.

- Senior allowance (尊老金): no application; a monthly batch writes one line
  per person and month (unique in the database) on district rolls of the
  core (civil_affairs.models.DistrictRoll/RollLine).
- Ability assessment (GB/T 42195-2022) and purchased home care: providers,
  their staff (ProviderMember binds a User to one provider), unit prices per
  service item, orders, visits checked in and out, the monthly settlement
  per provider approved by a reviewer before its bank file downloads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civil_affairs.models import DistrictRoll, Person, Region, RollLine

# ---------------------------------------------------------------- senior allowance


class Band(models.TextChoices):
    """Age bands of the senior allowance (DOMAIN.md: 80–89, 90–99, 100+)."""

    B80 = "80", _("80–89岁")
    B90 = "90", _("90–99岁")
    B100 = "100", _("100岁及以上")


class AllowanceAccount(models.Model):
    """The bank account a senior allowance is paid into (one per person); a
    person without one is still paid on the roll, the bank account cell blank."""

    person = models.OneToOneField(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    bank_account = models.CharField(_("收款银行账号"), max_length=32)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("尊老金收款账户")
        verbose_name_plural = _("尊老金收款账户")

    def __str__(self) -> str:
        return f"{self.person_id} {self.bank_account[-4:]}"


class SeniorAllowanceRoll(DistrictRoll):
    """One district's senior-allowance roll for one month, approved like the relief payroll."""

    class Meta(DistrictRoll.Meta):
        verbose_name = _("尊老金花名册")
        verbose_name_plural = _("尊老金花名册")


class SeniorAllowance(RollLine):
    """One person's senior allowance for one month (once: unique person + month)."""

    roll = models.ForeignKey(
        SeniorAllowanceRoll,
        verbose_name=_("花名册"),
        on_delete=models.PROTECT,
        related_name="allowances",
        db_index=False,
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    band = models.CharField(_("年龄段"), max_length=3, choices=Band.choices)
    age = models.PositiveSmallIntegerField(_("上月末年龄"))
    region = models.ForeignKey(
        Region, verbose_name=_("户籍所在社区/村"), on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta(RollLine.Meta):
        verbose_name = _("尊老金发放明细")
        verbose_name_plural = _("尊老金发放明细")
        constraints = [
            *RollLine.Meta.constraints,
            RollLine.once_per_month("person"),
            models.CheckConstraint(condition=Q(age__gte=80), name="eldercare_allowance_aged_80"),
        ]
        indexes = [models.Index(fields=["roll", "region", "id"], name="elder_allowance_roll_region")]


# ---------------------------------------------------------------- ability assessment


class AbilityLevel(models.IntegerChoices):
    """老年人能力评估 GB/T 42195-2022 result levels (0 best)."""

    INTACT = 0, _("能力完好")
    MILD = 1, _("轻度失能")
    MODERATE = 2, _("中度失能")
    SEVERE = 3, _("重度失能")
    COMPLETE = 4, _("完全失能")


class Assessment(models.Model):
    """One ability assessment by a named assessor; valid for the months of the
    parameter in force (default 12) from its date."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("能力等级"), choices=AbilityLevel.choices)
    score = models.PositiveSmallIntegerField(_("评估得分"), null=True, blank=True)
    assessor = models.CharField(_("评估员"), max_length=50)
    assessed_on = models.DateField(_("评估日期"))
    valid_until = models.DateField(_("有效期至"))
    region = models.ForeignKey(Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("老年人能力评估")
        verbose_name_plural = _("老年人能力评估")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gt=F("assessed_on")), name="eldercare_assessment_valid"),
            models.CheckConstraint(condition=Q(level__gte=0, level__lte=4), name="eldercare_assessment_level"),
        ]
        indexes = [models.Index(fields=["person", "-assessed_on"], name="elder_assessment_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_level_display()} {self.assessed_on}"
