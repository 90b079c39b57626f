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


# ---------------------------------------------------------------- purchased home care


class Provider(models.Model):
    """A contracted home-care provider (居家养老服务组织)."""

    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    bank_account = models.CharField(_("结算银行账号"), max_length=32, blank=True)
    active = models.BooleanField(_("在约"), default=True)

    class Meta:
        verbose_name = _("居家养老服务组织")
        verbose_name_plural = _("居家养老服务组织")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name


class ProviderMember(models.Model):
    """Binds a staff user (role institution_staff) to the one provider they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="eldercare_provider"
    )
    provider = models.ForeignKey(Provider, verbose_name=_("服务组织"), on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("服务组织人员")
        verbose_name_plural = _("服务组织人员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider}"


class ServiceItem(models.Model):
    """A service item at the provider's agreed unit price (助浴、助洁、陪护…)."""

    provider = models.ForeignKey(Provider, verbose_name=_("服务组织"), on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("项目编码"), max_length=20)
    name = models.CharField(_("服务项目"), max_length=50)
    unit_price = models.DecimalField(_("单价（元）"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("服务项目价格")
        verbose_name_plural = _("服务项目价格")
        ordering = ["provider", "code"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="eldercare_item_once_per_provider"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="eldercare_item_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ¥{self.unit_price}"


class HomeCareGroup(models.TextChoices):
    POOR = "poor", _("低保、特困老人")
    OTHER = "other", _("其他符合条件老人")


class HomeCareOrder(models.Model):
    """One elder's home-care service for one month with one provider, and the
    month's allowance it may spend (fixed when the order is made)."""

    person = models.ForeignKey(Person, verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, verbose_name=_("服务组织"), on_delete=models.PROTECT, related_name="orders")
    month = models.DateField(_("服务月份"))
    group = models.CharField(_("补贴类别"), max_length=8, choices=HomeCareGroup.choices)
    allowance = models.DecimalField(_("当月服务补贴（元）"), max_digits=10, decimal_places=2)
    region = models.ForeignKey(Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("派单人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("派单时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居家养老服务工单")
        verbose_name_plural = _("居家养老服务工单")
        ordering = ["-month", "region", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="eldercare_order_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="eldercare_order_month_first_day"),
            models.CheckConstraint(condition=Q(allowance__gt=0), name="eldercare_order_allowance_positive"),
        ]
        indexes = [models.Index(fields=["provider", "month", "id"], name="elder_order_provider_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.person_id} → {self.provider_id}"


class Visit(models.Model):
    """One planned visit of an order, checked in and out by the provider's worker."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("待服务")
        IN_PROGRESS = "in_progress", _("服务中")
        DONE = "done", _("已完成")
        MISSED = "missed", _("未上门")
        REJECTED = "rejected", _("核查不通过")

    order = models.ForeignKey(HomeCareOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="visits")
    provider = models.ForeignKey(Provider, verbose_name=_("服务组织"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("服务月份"))
    planned_start = models.DateTimeField(_("计划开始"))
    planned_end = models.DateTimeField(_("计划结束"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    items = models.JSONField(_("服务内容"), default=list, blank=True)  # [{"code", "name", "qty", "unit_price"}]
    amount = models.DecimalField(_("服务金额（元）"), max_digits=10, decimal_places=2, default=0)
    elder_confirmed = models.BooleanField(_("老人已确认"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    flagged = models.BooleanField(_("待核查"), default=False)
    flag_reasons = models.JSONField(_("核查原因"), default=list, blank=True)
    missed_reason = models.CharField(_("未上门原因"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    locked = models.BooleanField(_("已结算锁定"), default=False)

    class Meta:
        verbose_name = _("上门服务记录")
        verbose_name_plural = _("上门服务记录")
        ordering = ["planned_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_end__gt=F("planned_start")), name="eldercare_visit_window"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="eldercare_visit_amount"),
            models.CheckConstraint(
                condition=~Q(status="missed") | ~Q(missed_reason=""), name="eldercare_visit_missed_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["provider", "month", "status"], name="elder_visit_provider_month")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.planned_start:%Y-%m-%d %H:%M}"


class Settlement(models.Model):
    """One provider's home-care settlement for one month: what the accepted
    visits earned, each elder's part capped at their month's allowance.
    A reviewer approves it before its bank file can be downloaded."""

    class Status(models.TextChoices):
        GENERATED = "generated", _("待审核")
        APPROVED = "approved", _("已审核")

    provider = models.ForeignKey(Provider, verbose_name=_("服务组织"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("结算月份"))
    district = models.ForeignKey(Region, verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+")
    visits = models.PositiveIntegerField(_("有效服务次数"))
    people = models.PositiveIntegerField(_("服务人数"))
    earned = models.DecimalField(_("服务金额（元）"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("结算金额（元）"), max_digits=14, decimal_places=2)
    capped_people = models.PositiveIntegerField(_("超出补贴封顶人数"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.GENERATED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("居家养老服务结算")
        verbose_name_plural = _("居家养老服务结算")
        ordering = ["-month", "district", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "month"], name="eldercare_settlement_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="eldercare_settlement_month_first_day"),
            models.CheckConstraint(condition=Q(amount__lte=F("earned")), name="eldercare_settlement_capped"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.provider_id}"


# ---------------------------------------------------------------- institutions and beds


class Institution(models.Model):
    """An elder-care institution (养老机构) on file (备案)."""

    class Operator(models.TextChoices):
        PUBLIC = "public", _("公办")
        PUBLIC_PRIVATE = "public_private", _("公建民营")
        PRIVATE = "private", _("民办")

    class Medical(models.TextChoices):
        IN_HOUSE = "in_house", _("内设医疗机构")
        PARTNER = "partner", _("与医疗机构签约合作")
        NONE = "none", _("无")

    name = models.CharField(_("名称"), max_length=100)
    filing_number = models.CharField(_("备案编号"), max_length=30, unique=True)
    operator = models.CharField(_("运营方式"), max_length=16, choices=Operator.choices)
    star_grade = models.PositiveSmallIntegerField(_("星级"), default=0)  # 0: not rated; 1–5 (GB/T 37276-2018)
    grade_score = models.PositiveSmallIntegerField(_("评定得分"), null=True, blank=True)  # out of 1 000
    grade_valid_until = models.DateField(_("星级有效期至"), null=True, blank=True)
    medical = models.CharField(_("医疗能力"), max_length=10, choices=Medical.choices, default=Medical.NONE)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("养老机构")
        verbose_name_plural = _("养老机构")
        ordering = ["region", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(star_grade__lte=5), name="eldercare_institution_star_grade"),
            models.CheckConstraint(
                condition=Q(grade_score__isnull=True) | Q(grade_score__lte=1000), name="eldercare_institution_score"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InstitutionMember(models.Model):
    """Binds a staff user (role institution_staff) to the one institution they work in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="eldercare_institution"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("养老机构"), on_delete=models.CASCADE, related_name="members"
    )

    class Meta:
        verbose_name = _("养老机构人员")
        verbose_name_plural = _("养老机构人员")


class Bed(models.Model):
    """A bed in a room; its status follows its resident (set only by admission and discharge)."""

    class Kind(models.TextChoices):
        NURSING = "nursing", _("护理型")
        ORDINARY = "ordinary", _("普通型")

    class Status(models.TextChoices):
        FREE = "free", _("空闲")
        OCCUPIED = "occupied", _("已入住")

    institution = models.ForeignKey(
        Institution, verbose_name=_("养老机构"), on_delete=models.CASCADE, related_name="beds"
    )
    room = models.CharField(_("房间号"), max_length=20)
    number = models.CharField(_("床位号"), max_length=20)
    kind = models.CharField(_("床位类型"), max_length=10, choices=Kind.choices, default=Kind.ORDINARY)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.FREE, editable=False)

    class Meta:
        verbose_name = _("床位")
        verbose_name_plural = _("床位")
        ordering = ["institution", "room", "number"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "room", "number"], name="eldercare_bed_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.room}-{self.number}"


class Stay(models.Model):
    """A resident's stay in an institution: admitted → discharged (a state machine)."""

    class State(models.TextChoices):
        ADMITTED = "admitted", _("在院")
        DISCHARGED = "discharged", _("已出院")

    institution = models.ForeignKey(
        Institution, verbose_name=_("养老机构"), on_delete=models.PROTECT, related_name="stays"
    )
    bed = models.ForeignKey(Bed, verbose_name=_("床位"), on_delete=models.PROTECT, related_name="stays")
    person = models.ForeignKey(Person, verbose_name=_("入住老人"), on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("入住时能力等级"), choices=AbilityLevel.choices, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ADMITTED)
    admitted_on = models.DateField(_("入住日期"))
    discharged_on = models.DateField(_("离院日期"), null=True, blank=True)
    discharge_reason = models.CharField(_("离院原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("入住记录")
        verbose_name_plural = _("入住记录")
        ordering = ["-admitted_on", "-id"]
        constraints = [
            # a bed cannot hold two residents; a person is in one bed at a time
            models.UniqueConstraint(fields=["bed"], condition=Q(state="admitted"), name="eldercare_bed_one_resident"),
            models.UniqueConstraint(fields=["person"], condition=Q(state="admitted"), name="eldercare_person_one_bed"),
            models.CheckConstraint(
                condition=(Q(state="admitted") & Q(discharged_on__isnull=True))
                | (Q(state="discharged") & Q(discharged_on__gte=F("admitted_on"))),
                name="eldercare_stay_state_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.bed_id}"


class Facility(models.Model):
    """A community facility (day-care centre, home-care station, mutual-aid point,
    meal point), possibly run by an institution (chain model, 链式养老) and
    serving listed communities."""

    class Kind(models.TextChoices):
        DAY_CARE = "day_care", _("日间照料中心")
        STATION = "station", _("居家养老服务站")
        MUTUAL_AID = "mutual_aid", _("互助睦邻点")
        MEAL_POINT = "meal_point", _("助餐点")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(
        Institution,
        verbose_name=_("运营机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilities",
    )
    serves = models.ManyToManyField(Region, verbose_name=_("服务社区"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("社区养老服务设施")
        verbose_name_plural = _("社区养老服务设施")
        ordering = ["region", "kind", "name"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- meal assistance


class MealPointMember(models.Model):
    """Binds a staff user (role institution_staff) to the meal point they record meals at."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="eldercare_meal_point"
    )
    point = models.ForeignKey(
        Facility,
        verbose_name=_("助餐点"),
        on_delete=models.CASCADE,
        related_name="meal_members",
        limit_choices_to={"kind": "meal_point"},
    )

    class Meta:
        verbose_name = _("助餐点人员")
        verbose_name_plural = _("助餐点人员")


class Meal(models.Model):
    """One meal served to an elder at a meal point; its subsidy by group, at
    most the daily cap of subsidised meals a day (the later meals of the day get none)."""

    class Kind(models.IntegerChoices):
        BREAKFAST = 1, _("早餐")
        LUNCH = 2, _("午餐")
        DINNER = 3, _("晚餐")

    class Group(models.TextChoices):
        POOR = "poor", _("低保、特困老人")
        GENERAL = "general", _("60周岁以上老人")

    point = models.ForeignKey(
        Facility, verbose_name=_("助餐点"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(
        Person, verbose_name=_("就餐老人"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    date = models.DateField(_("就餐日期"))
    meal = models.PositiveSmallIntegerField(_("餐次"), choices=Kind.choices)
    group = models.CharField(_("补贴类别"), max_length=8, choices=Group.choices)
    subsidy = models.DecimalField(_("补贴（元）"), max_digits=8, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("助餐记录")
        verbose_name_plural = _("助餐记录")
        ordering = ["-date", "point", "person", "meal"]
        constraints = [
            # the same card-reader file twice adds nothing
            models.UniqueConstraint(fields=["person", "date", "meal"], name="eldercare_meal_once"),
            models.CheckConstraint(condition=Q(meal__gte=1, meal__lte=3), name="eldercare_meal_kind"),
            models.CheckConstraint(condition=Q(subsidy__gte=0), name="eldercare_meal_subsidy"),
        ]
        indexes = [models.Index(fields=["point", "date"], name="elder_meal_point_date")]


class MealSettlement(models.Model):
    """One meal point's subsidy for one month, approved by a reviewer like home care."""

    class Status(models.TextChoices):
        GENERATED = "generated", _("待审核")
        APPROVED = "approved", _("已审核")

    point = models.ForeignKey(Facility, verbose_name=_("助餐点"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("结算月份"))
    district = models.ForeignKey(Region, verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+")
    meals = models.PositiveIntegerField(_("就餐人次"))
    subsidised = models.PositiveIntegerField(_("补贴餐次"))
    amount = models.DecimalField(_("补贴金额（元）"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.GENERATED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("助餐补贴结算")
        verbose_name_plural = _("助餐补贴结算")
        ordering = ["-month", "district", "point"]
        constraints = [
            models.UniqueConstraint(fields=["point", "month"], name="eldercare_meal_settlement_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="eldercare_meal_settlement_month"),
        ]


# ---------------------------------------------------------------- Visits to the vulnerable elderly


class VulnerableReason(models.TextChoices):
    """Why an elder is on the visit list (eldercare/rules.py: the definitions)."""

    ALONE = "alone", _("独居")
    EMPTY_NEST = "empty_nest", _("空巢")
    DISABLED_DIBAO = "disabled_dibao", _("低保失能/半失能")
    FP_SUPPORT = "fp_support", _("计生特扶")


class VulnerableEndReason(models.TextChoices):
    DIED = "died", _("已死亡")
    YOUNGER_MEMBER = "younger_member", _("与60岁以下家庭成员同住")
    NO_HOUSEHOLD = "no_household", _("无户籍家庭记录")
    NO_LONGER = "no_longer", _("不再符合探访条件")


class VulnerableElder(models.Model):
    """One elder on the visit list (探访关爱对象): built nightly from the
    registry, relief, the ability assessments and the 计生特扶 feed; visited
    weekly by the community worker of `region` (the community).  An entry
    that no longer qualifies is ended (date and reason), never deleted; a
    person has at most one open entry (database constraint)."""

    person = models.ForeignKey(Person, verbose_name=_("老人"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reasons = models.JSONField(_("列入原因"), default=list)  # VulnerableReason values, in that order
    listed_on = models.DateField(_("列入日期"))
    last_visit_on = models.DateField(_("最近探访"), null=True, blank=True)
    next_due = models.DateField(_("下次探访截止"))
    ended_on = models.DateField(_("移出日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("移出原因"), max_length=16, choices=VulnerableEndReason.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("探访关爱对象")
        verbose_name_plural = _("探访关爱对象")
        ordering = ["next_due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True), name="eldercare_vuln_once"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="") | Q(ended_on__isnull=False) & ~Q(end_reason=""),
                name="eldercare_vuln_ended_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["region", "next_due", "id"], condition=Q(ended_on__isnull=True), name="elder_vuln_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.region_id}"


class VulnerableVisit(models.Model):
    """One visit (探访) of a listed elder by the community worker: seen or
    not, what was seen (structured checks and notes); it moves the entry's
    next due date to the visit date + the interval (default 7 days).  A
    visit may open a relief temporary-assistance case (its number kept)."""

    class Check(models.TextChoices):
        OK = "ok", _("正常")
        CONCERN = "concern", _("需关注")
        URGENT = "urgent", _("紧急")

    entry = models.ForeignKey(
        VulnerableElder, verbose_name=_("探访对象"), on_delete=models.PROTECT, related_name="visits"
    )
    person = models.ForeignKey(Person, verbose_name=_("老人"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("探访日期"))
    seen = models.BooleanField(_("见到本人"))
    checks = models.JSONField(_("探访情况"), default=dict, blank=True)  # {"health": "ok", "home_safety": …}
    notes = models.TextField(_("探访记录"), blank=True)
    on_time = models.BooleanField(_("按时探访"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("探访人"), on_delete=models.PROTECT, related_name="+"
    )
    relief_application = models.CharField(_("临时救助申请编号"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("探访记录")
        verbose_name_plural = _("探访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["entry", "-visited_on"], name="elder_vuln_visit_entry")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.visited_on}"


# ---------------------------------------------------------------- Home adaptations and family care beds
#
# 适老化改造 and 家庭养老床位: application (a caseworker at the counter, or the
# resident online) → assessment with a needs list → work order to a contractor
# with a budget within the cap → completion with photos → acceptance by a
# person other than the one who ordered → payment.  The whole case is one row
# so that the database checks its money and its two people: budget ≤ cap,
# payment ≤ budget, acceptor ≠ orderer (rules.py has the numbers and deadlines).


class Contractor(models.Model):
    """A contractor for home adaptations and care-bed installation (施工/适老化改造服务单位).
    Not the home-care Provider: a provider is paid per verified visit from its price
    list and its staff log in to check visits in and out; a contractor is paid once
    per accepted work order and does not log in (the caseworker records its completion)."""

    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_account = models.CharField(_("结算银行账号"), max_length=32, blank=True)
    active = models.BooleanField(_("在约"), default=True)

    class Meta:
        verbose_name = _("适老化改造施工单位")
        verbose_name_plural = _("适老化改造施工单位")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name


class Adaptation(models.Model):
    """One home's adaptation or family care bed, from application to payment."""

    class Kind(models.TextChoices):
        ADAPTATION = "adaptation", _("适老化改造")
        CARE_BED = "care_bed", _("家庭养老床位")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        COUNTER = "counter", _("窗口代办")

    class Group(models.TextChoices):
        POOR = "poor", _("低保、特困老人")
        OTHER = "other", _("其他符合条件老人")

    class State(models.TextChoices):
        APPLIED = "applied", _("待评估")
        ASSESSED = "assessed", _("待派单")
        ORDERED = "ordered", _("施工中")
        COMPLETED = "completed", _("待验收")
        ACCEPTED = "accepted", _("待支付")
        PAID = "paid", _("已支付")
        REJECTED = "rejected", _("不予受理")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    person = models.ForeignKey(Person, verbose_name=_("老人"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "civil_affairs.Household",
        verbose_name=_("家庭"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("申请渠道"), max_length=8, choices=Channel.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请/代办人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("申请事由"), max_length=500, blank=True)
    group = models.CharField(_("补助类别"), max_length=8, choices=Group.choices)
    cap = models.DecimalField(_("补助上限（元）"), max_digits=10, decimal_places=2)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.APPLIED)
    applied_at = models.DateTimeField(_("申请时间"))
    assess_due = models.DateField(_("评估期限"))
    # assessment (needs list in AdaptationNeed)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评估人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    assessment_note = models.CharField(_("评估意见"), max_length=500, blank=True)
    estimate = models.DecimalField(_("估算金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    order_due = models.DateField(_("派单期限"), null=True, blank=True)
    # work order
    contractor = models.ForeignKey(
        Contractor, verbose_name=_("施工单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    budget = models.DecimalField(_("工单预算（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("派单人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ordered_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    work_due = models.DateField(_("完工期限"), null=True, blank=True)
    # completion
    completed_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完工登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actual_cost = models.DecimalField(_("实际费用（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    completion_note = models.CharField(_("完工说明"), max_length=500, blank=True)
    accept_due = models.DateField(_("验收期限"), null=True, blank=True)
    # acceptance (a second person)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    acceptance_note = models.CharField(_("验收意见"), max_length=500, blank=True)
    pay_due = models.DateField(_("支付期限"), null=True, blank=True)
    # payment
    paid_amount = models.DecimalField(_("支付金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("支付登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    payment_reference = models.CharField(_("支付凭证号"), max_length=50, blank=True)
    # refusal
    rejected_at = models.DateTimeField(_("不予受理时间"), null=True, blank=True)
    rejection_reason = models.CharField(_("不予受理原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("适老化改造/家庭养老床位")
        verbose_name_plural = _("适老化改造/家庭养老床位")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cap__gt=0), name="eldercare_adaptation_cap_positive"),
            # the work order's budget within the cap fixed at application
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | (Q(budget__gt=0) & Q(budget__lte=F("cap"))),
                name="eldercare_adaptation_budget_within_cap",
            ),
            # paid no more than the budget
            models.CheckConstraint(
                condition=Q(paid_amount__isnull=True) | (Q(paid_amount__gt=0) & Q(paid_amount__lte=F("budget"))),
                name="eldercare_adaptation_paid_within_budget",
            ),
            # maker–checker: who ordered the work does not accept it
            models.CheckConstraint(
                condition=Q(accepted_by__isnull=True) | ~Q(accepted_by=F("ordered_by")),
                name="eldercare_adaptation_two_people",
            ),
            # each state has its step's facts
            models.CheckConstraint(
                condition=~Q(state__in=["ordered", "completed", "accepted", "paid"])
                | (Q(contractor__isnull=False) & Q(budget__isnull=False) & Q(ordered_at__isnull=False)),
                name="eldercare_adaptation_ordered_facts",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "paid"]) | Q(accepted_by__isnull=False),
                name="eldercare_adaptation_accepted_facts",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | (Q(paid_amount__isnull=False) & Q(paid_at__isnull=False)),
                name="eldercare_adaptation_paid_facts",
            ),
            # one open case per elder and kind
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=~Q(state__in=["paid", "rejected"]),
                name="eldercare_adaptation_one_open",
            ),
        ]
        indexes = [models.Index(fields=["region", "state", "id"], name="elder_adaptation_region_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id}"

    @property
    def due_on(self):
        """The current step's deadline (None once paid or refused)."""
        return {
            "applied": self.assess_due,
            "assessed": self.order_due,
            "ordered": self.work_due,
            "completed": self.accept_due,
            "accepted": self.pay_due,
        }.get(self.state)


class AdaptationNeed(models.Model):
    """One line of the assessment's needs list with its estimated cost."""

    adaptation = models.ForeignKey(Adaptation, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="needs")
    item = models.CharField(_("改造/配置项目"), max_length=100)
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1)
    unit_cost = models.DecimalField(_("估算单价（元）"), max_digits=10, decimal_places=2)
    cost = models.DecimalField(_("估算金额（元）"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("改造需求清单")
        verbose_name_plural = _("改造需求清单")
        ordering = ["adaptation", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="eldercare_need_quantity"),
            models.CheckConstraint(condition=Q(unit_cost__gt=0) & Q(cost__gt=0), name="eldercare_need_cost"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class AdaptationPhoto(models.Model):
    """A completion photo, stored outside the web root, checked like every
    upload (civil_affairs.services.document_check) and served after a permission check."""

    adaptation = models.ForeignKey(Adaptation, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="eldercare/adaptations/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("完工照片")
        verbose_name_plural = _("完工照片")
        ordering = ["adaptation", "id"]

    def __str__(self) -> str:
        return self.original_name


class AssessmentRequest(models.Model):
    """A resident asks for an ability assessment (GB/T 42195-2022) for themselves or
    an elder of their household; done when a caseworker records the assessment."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待评估")
        DONE = "done", _("已评估")

    person = models.ForeignKey(Person, verbose_name=_("老人"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    due = models.DateField(_("评估期限"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.REQUESTED)
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("评估结果"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("能力评估申请")
        verbose_name_plural = _("能力评估申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(state="requested"), name="eldercare_assessment_request_open"
            ),
            models.CheckConstraint(
                condition=Q(state="requested") | Q(assessment__isnull=False), name="eldercare_assessment_request_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.requested_at:%Y-%m-%d}"
