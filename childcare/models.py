"""Childcare tables (DOMAIN.md "Childcare"): recognition of orphans and de-facto
unsupported children with each parent's condition and evidence, the monthly
allowance and its district rolls, the registry of children in distress and
left behind with versioned risk levels, visits and referrals, the child
directors' and supervisors' rosters, minors' protection stations and the
discovery tasks the feeds raise.  Invariants are database constraints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civil_affairs.models import DistrictRoll, Document, Person, Region, RollLine

from . import rules

USER = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    ORPHAN = rules.ORPHAN, _("孤儿")
    UNSUPPORTED = rules.UNSUPPORTED, _("事实无人抚养儿童")


class Setting(models.TextChoices):
    INSTITUTIONAL = rules.INSTITUTIONAL, _("机构集中养育")
    DISPERSED = rules.DISPERSED, _("社会散居")


class ParentCode(models.TextChoices):
    DEAD = rules.DEAD, _("死亡")
    DECLARED_DEAD = rules.DECLARED_DEAD, _("宣告死亡")
    MISSING = rules.MISSING, _("宣告失踪")
    NOT_FOUND = rules.NOT_FOUND, _("查找不到")
    DISABLED = rules.DISABLED, _("重残")
    ILL = rules.ILL, _("重病")
    OUT_OF_CONTACT = rules.OUT_OF_CONTACT, _("失联")
    REVOKED = rules.REVOKED, _("被撤销监护资格")
    DEPORTED = rules.DEPORTED, _("被遣送出境")
    DEPRIVED = rules.DEPRIVED, _("服刑在押、强制戒毒等限制人身自由")
    NONE = rules.NONE, _("无上述情形")


class Risk(models.TextChoices):
    HIGH = rules.HIGH, _("高")
    MEDIUM = rules.MEDIUM, _("中")
    LOW = rules.LOW, _("低")


# ---------------------------------------------------------------- rosters


class Director(models.Model):
    """儿童主任: one per village/community, a community worker's account."""

    user = models.OneToOneField(USER, verbose_name=_("账号"), on_delete=models.PROTECT, related_name="child_director")
    region = models.OneToOneField(
        Region, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="child_director"
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    since = models.DateField(_("任职日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("儿童主任")
        verbose_name_plural = _("儿童主任")

    def __str__(self) -> str:
        return f"{self.region_id} {self.user}"


class Supervisor(models.Model):
    """儿童督导员: one per street/township, a caseworker's account."""

    user = models.OneToOneField(USER, verbose_name=_("账号"), on_delete=models.PROTECT, related_name="child_supervisor")
    region = models.OneToOneField(
        Region, verbose_name=_("街道/乡镇"), on_delete=models.PROTECT, related_name="child_supervisor"
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    since = models.DateField(_("任职日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("儿童督导员")
        verbose_name_plural = _("儿童督导员")

    def __str__(self) -> str:
        return f"{self.region_id} {self.user}"


class Staff(models.Model):
    """District and bureau childcare staff (and street caseworkers who handle
    allowance cases): the accounts with childcare scope in their jurisdiction."""

    user = models.OneToOneField(USER, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="childcare_staff")
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("儿童福利工作人员")
        verbose_name_plural = _("儿童福利工作人员")

    def __str__(self) -> str:
        return str(self.user)


class Station(models.Model):
    """未成年人保护工作站, per town/street."""

    region = models.ForeignKey(Region, verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("未成年人保护工作站")
        verbose_name_plural = _("未成年人保护工作站")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="cc_station_once")]

    def __str__(self) -> str:
        return self.name


class StationStaff(models.Model):
    station = models.ForeignKey(Station, verbose_name=_("工作站"), on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    duty = models.CharField(_("职责"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工作站人员")
        verbose_name_plural = _("工作站人员")


# ---------------------------------------------------------------- recognition


class Case(models.Model):
    """A recognition case (孤儿/事实无人抚养儿童认定): applied for by a guardian
    online or at the street, checked by the street, decided by the district."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已提交，待街道审核")
        CHECKED = "checked", _("街道已审核，待区县审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("不予批准")
        WITHDRAWN = "withdrawn", _("已撤回")

    OPEN = (State.SUBMITTED, State.CHECKED)

    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    child = models.ForeignKey(Person, verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+")
    guardian = models.ForeignKey(
        Person, verbose_name=_("监护人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guardian_relation = models.CharField(_("与儿童关系"), max_length=30, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所在村/社区"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("申请类别"), max_length=12, choices=Category.choices)
    setting = models.CharField(_("养育方式"), max_length=14, choices=Setting.choices, default=Setting.DISPERSED)
    school_until = models.DateField(_("全日制在校至"), null=True, blank=True)
    bank_account = models.CharField(_("监护人收款账号"), max_length=32, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    online = models.BooleanField(_("网上申请"), default=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SUBMITTED, db_index=True)
    submitted_on = models.DateField(_("申请日期"))
    submitted_by = models.ForeignKey(USER, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+")
    check_due = models.DateField(_("街道审核期限"))
    checked_by = models.ForeignKey(
        USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(_("审核日期"), null=True, blank=True)
    check_opinion = models.TextField(_("街道审核意见"), blank=True)
    decision_due = models.DateField(_("区县审批期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    documents = models.ManyToManyField(Document, verbose_name=_("证明材料"), blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("孤儿/事实无人抚养儿童认定")
        verbose_name_plural = _("孤儿/事实无人抚养儿童认定")
        ordering = ["-id"]
        constraints = [
            # maker–checker: the district's decision is never the street checker's
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("checked_by")), name="cc_case_two_people"
            ),
            models.UniqueConstraint(
                fields=["child"], condition=Q(state__in=["submitted", "checked"]), name="cc_case_one_open"
            ),
        ]
        indexes = [models.Index(fields=["state", "region", "id"], name="cc_case_state_region")]

    def __str__(self) -> str:
        return self.number


class ParentSituation(models.Model):
    """One parent's condition on a case, with its code, dates and evidence."""

    class Which(models.TextChoices):
        FATHER = "father", _("父亲")
        MOTHER = "mother", _("母亲")

    case = models.ForeignKey(Case, verbose_name=_("认定申请"), on_delete=models.CASCADE, related_name="parents")
    which = models.CharField(_("父/母"), max_length=6, choices=Which.choices)
    parent = models.ForeignKey(
        Person, verbose_name=_("父/母"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    code = models.CharField(_("情形"), max_length=16, choices=ParentCode.choices, blank=True)
    since = models.DateField(_("起始日期"), null=True, blank=True)
    until = models.DateField(_("结束（预计）日期"), null=True, blank=True)
    evidence = models.CharField(_("证明依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("父母情形")
        verbose_name_plural = _("父母情形")
        constraints = [models.UniqueConstraint(fields=["case", "which"], name="cc_parent_once")]

    def as_rule(self) -> rules.Parent:
        grade = getattr(self.parent, "disability_grade", 0) or 0
        kind = getattr(self.parent, "disability_type", "") or ""
        return rules.Parent(self.code, self.since, self.until, grade, kind)


class Allowance(models.Model):
    """A recognised child's monthly allowance (基本生活费), paid to the guardian."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常发放")
        STOPPED = "stopped", _("已停发")

    class StopReason(models.TextChoices):
        ADOPTED = "adopted", _("被收养")
        CONDITION_ENDED = "condition_ended", _("父母情形消失")
        DEATH = "death", _("死亡")
        AGE = "age", _("年满规定年龄")
        REVIEW = "review", _("年度复核不再符合")

    child = models.ForeignKey(Person, verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, verbose_name=_("认定"), on_delete=models.PROTECT, related_name="allowance")
    guardian = models.ForeignKey(
        Person, verbose_name=_("监护人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name=_("所在村/社区"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    setting = models.CharField(_("养育方式"), max_length=14, choices=Setting.choices)
    start_month = models.DateField(_("起始月份"))
    last_month = models.DateField(_("最后发放月份"))
    school_until = models.DateField(_("全日制在校至"), null=True, blank=True)
    next_review = models.DateField(_("下次年度复核"), db_index=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    stop_reason = models.CharField(_("停发原因"), max_length=16, choices=StopReason.choices, blank=True)
    stopped_from = models.DateField(_("停发月份"), null=True, blank=True)
    bank_account = models.CharField(_("收款银行账号"), max_length=32, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("孤儿/事实无人抚养儿童基本生活费")
        verbose_name_plural = _("孤儿/事实无人抚养儿童基本生活费")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(status="active"), name="cc_allowance_one_live"),
            models.CheckConstraint(condition=Q(start_month__day=1) & Q(last_month__day=1), name="cc_allowance_months"),
        ]
        indexes = [models.Index(fields=["region", "id"], name="cc_allowance_region")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.child_id}"


class AllowanceRoll(DistrictRoll):
    class Meta(DistrictRoll.Meta):
        verbose_name = _("儿童基本生活费花名册")
        verbose_name_plural = _("儿童基本生活费花名册")


class AllowancePayment(RollLine):
    """One child's allowance of one month: unique per child and month.  Few
    indexes, so a month's 20 000+ lines go in fast: the unique (child, month)
    serves a child's payments, (roll, region, id) a roll's pages, (month,
    region) the dashboard's month in a subtree."""

    roll = models.ForeignKey(
        AllowanceRoll, verbose_name=_("花名册"), on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    allowance = models.ForeignKey(
        Allowance, verbose_name=_("待遇"), on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    child = models.ForeignKey(
        Person, verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    guardian = models.ForeignKey(
        Person,
        verbose_name=_("监护人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    category = models.CharField(_("类别"), max_length=16)  # orphan_inst / orphan_disp / unsupported

    class Meta(RollLine.Meta):
        verbose_name = _("儿童基本生活费发放明细")
        verbose_name_plural = _("儿童基本生活费发放明细")
        constraints = [*RollLine.Meta.constraints, RollLine.once_per_month("child")]
        indexes = [
            models.Index(fields=["roll", "region", "id"], name="cc_payment_roll_region"),
            models.Index(fields=["month", "region"], name="cc_payment_month_region"),
        ]


# ---------------------------------------------------------------- distress and left-behind registry


class Child(models.Model):
    """A child in distress (困境儿童) or left behind (留守儿童) in the registry."""

    class Kind(models.TextChoices):
        POVERTY = "poverty", _("困境儿童：家庭贫困")
        DISABILITY = "disability", _("困境儿童：残疾")
        ILLNESS = "illness", _("困境儿童：重病")
        NO_GUARDIAN = "no_guardian", _("困境儿童：监护缺失")
        LEFT_BEHIND = "left_behind", _("留守儿童")

    person = models.OneToOneField(Person, verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在村/社区"), on_delete=models.PROTECT, related_name="+")
    guardian = models.ForeignKey(
        Person, verbose_name=_("监护人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_situation = models.CharField(_("监护人情况"), max_length=200, blank=True)
    school = models.CharField(_("就读学校"), max_length=100, blank=True)
    risk = models.CharField(_("风险等级"), max_length=6, choices=Risk.choices, default=Risk.LOW)
    registered_on = models.DateField(_("登记日期"))
    first_visit_due = models.DateField(_("首次走访期限"))
    last_visit_on = models.DateField(_("最近走访"), null=True, blank=True)
    next_visit_due = models.DateField(_("下次走访期限"), db_index=True)
    closed_on = models.DateField(_("销档日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("困境儿童/留守儿童")
        verbose_name_plural = _("困境儿童/留守儿童")
        ordering = ["region", "id"]
        indexes = [
            models.Index(fields=["region", "next_visit_due", "id"], name="cc_child_region_due"),
            models.Index(fields=["region", "id"], name="cc_child_region_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id}"


class RiskChange(models.Model):
    """A versioned change of a child's risk level: who, when, why."""

    child = models.ForeignKey(Child, verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="risk_changes")
    version = models.PositiveIntegerField(_("版本"))
    old = models.CharField(_("原等级"), max_length=6, choices=Risk.choices, blank=True)
    new = models.CharField(_("新等级"), max_length=6, choices=Risk.choices)
    reason = models.CharField(_("原因"), max_length=200)
    by = models.ForeignKey(USER, verbose_name=_("调整人"), null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("风险等级变更")
        verbose_name_plural = _("风险等级变更")
        ordering = ["child", "version"]
        constraints = [models.UniqueConstraint(fields=["child", "version"], name="cc_risk_version_once")]


class Visit(models.Model):
    child = models.ForeignKey(Child, verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    by = models.ForeignKey(USER, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="+")
    seen = models.BooleanField(_("见到儿童本人"))
    notes = models.TextField(_("走访记录"))
    risk_seen = models.CharField(_("走访时风险等级"), max_length=6, choices=Risk.choices)
    on_time = models.BooleanField(_("按期走访"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]


class Referral(models.Model):
    class Service(models.TextChoices):
        MEDICAL = "medical", _("医疗")
        EDUCATION = "education", _("教育")
        PSYCHOLOGICAL = "psychological", _("心理")
        LEGAL = "legal", _("法律援助")
        RELIEF = "relief", _("社会救助（临时救助）")

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        CLOSED = "closed", _("已办结")

    child = models.ForeignKey(Child, verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="referrals")
    service = models.CharField(_("转介服务"), max_length=14, choices=Service.choices)
    reason = models.TextField(_("转介原因"))
    opened_on = models.DateField(_("转介日期"))
    opened_by = models.ForeignKey(USER, verbose_name=_("转介人"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    relief_application = models.CharField(_("救助申请编号"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True) | Q(status="closed", closed_on__isnull=False),
                name="cc_referral_closed_has_date",
            )
        ]


# ---------------------------------------------------------------- proactive discovery


class DiscoveryTask(models.Model):
    """可能的孤儿/事实无人抚养儿童: a feed row (death, custody) hit a parent of a
    minor; the task sits in the child director's queue with the evidence.  One
    per child, parent, event kind and feed key: rerunning a night adds nothing."""

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        DONE = "done", _("已核实")

    child = models.ForeignKey(Person, verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(Person, verbose_name=_("父/母"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所在村/社区"), on_delete=models.PROTECT, related_name="+")
    event = models.CharField(_("事件"), max_length=12)  # death, custody
    key = models.CharField(_("来源标识"), max_length=60)
    evidence = models.JSONField(_("依据"), default=dict)
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(_("核实结果"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("发现时间"), db_default=models.functions.Now())

    class Meta:
        verbose_name = _("主动发现任务")
        verbose_name_plural = _("主动发现任务")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "parent", "event", "key"], name="cc_discovery_once"),
        ]
        indexes = [models.Index(fields=["region", "status", "id"], name="cc_discovery_region")]
