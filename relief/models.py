"""Social relief: applications through their procedure, active benefits and
the monthly payroll.  Its dated standards and the working-day calendar live in
the core (civil_affairs Parameter and CalendarDay)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from civil_affairs.models import DistrictRoll, Household, Person, Region, RollLine
from civil_affairs.models import FeedRecord as CoreFeedRecord


class Kind(models.TextChoices):
    DIBAO = "dibao", _("最低生活保障")
    TEKUN = "tekun", _("特困人员救助供养")
    MARGINAL = "marginal", _("低保边缘家庭")
    EXPENDITURE = "expenditure", _("支出型困难家庭")
    TEMPORARY = "temporary", _("临时救助")


class Application(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("退回补充材料")
        ACCEPTED = "accepted", _("已受理")
        INVESTIGATING = "investigating", _("调查核实中")
        PROPOSED = "proposed", _("已提出审核意见")
        NOTICE = "notice", _("公示中")
        CONFIRMED = "confirmed", _("已批准")
        REJECTED = "rejected", _("不予批准")
        WITHDRAWN = "withdrawn", _("已撤回")

    class TemporaryType(models.TextChoices):
        EMERGENCY = "emergency", _("急难型")
        EXPENDITURE = "expenditure", _("支出型")

    class CareLevel(models.TextChoices):
        SELF = "self", _("全自理")
        PARTIAL = "partial", _("半护理")
        FULL = "full", _("全护理")

    class SupportMode(models.TextChoices):
        HOME = "home", _("分散供养")
        INSTITUTION = "institution", _("集中供养")

    class ApprovalLevel(models.TextChoices):
        STREET = "street", _("街道/乡镇审批")
        DISTRICT = "district", _("区县审批")
        BUREAU = "bureau", _("市民政局一事一议")

    OPEN_STATES = (State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.INVESTIGATING, State.PROPOSED, State.NOTICE)
    FINAL_STATES = (State.CONFIRMED, State.REJECTED, State.WITHDRAWN)

    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    kind = models.CharField(_("救助类别"), max_length=12, choices=Kind.choices)
    temporary_type = models.CharField(_("临时救助类型"), max_length=12, choices=TemporaryType.choices, blank=True)
    state = models.CharField(_("状态"), max_length=14, choices=State.choices, default=State.DRAFT, db_index=True)
    household = models.ForeignKey(
        Household, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="relief_applications"
    )
    applicant = models.ForeignKey(Person, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    # Where the case is handled: the household's community, or for temporary
    # assistance the community where the emergency happened.
    region = models.ForeignKey(Region, verbose_name=_("受理地"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("申请事由"), blank=True)
    requested_amount = models.DecimalField(_("申请金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    bank_account = models.CharField(_("收款银行账号"), max_length=32, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    authorised_verification = models.BooleanField(_("已签署家庭经济状况核对授权"), default=False)
    online = models.BooleanField(_("网上申请"), default=False)
    recheck_of = models.ForeignKey(
        "Benefit",
        verbose_name=_("复核的待遇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rechecks",
    )
    # submitted without some required documents: which were missing, and the applicant's note why
    missing_documents = models.JSONField(_("提交时缺少的材料"), default=list, blank=True)
    missing_documents_note = models.TextField(_("缺少材料的说明"), blank=True)

    # acceptance
    checklist = models.JSONField(_("材料清单"), default=dict, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("办结期限"), null=True, blank=True, db_index=True)
    extension_reason = models.CharField(_("延期理由"), max_length=200, blank=True)

    # investigation and proposal
    cross_check = models.JSONField(_("核对结果"), default=list, blank=True)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    care_level = models.CharField(_("照料护理等级"), max_length=8, choices=CareLevel.choices, blank=True)
    support_mode = models.CharField(_("供养方式"), max_length=12, choices=SupportMode.choices, blank=True)
    eligible = models.BooleanField(_("符合条件"), null=True, blank=True)
    proposed_amount = models.DecimalField(
        _("拟核定月救助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    working = models.JSONField(_("计算过程"), default=dict, blank=True)
    proposal_note = models.TextField(_("审核意见"), blank=True)
    approval_level = models.CharField(_("审批层级"), max_length=10, choices=ApprovalLevel.choices, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # public notice
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)

    # emergency assistance paid first (先行救助)
    paid_first_on = models.DateField(_("先行救助日期"), null=True, blank=True)
    paid_first_amount = models.DecimalField(
        _("先行救助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    documents_due = models.DateField(_("补充材料期限"), null=True, blank=True)

    # decision; a bureau case-by-case decision (一事一议) takes two bureau approvals:
    # the first is kept here until a second, different administrator decides
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("第一审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_approved_at = models.DateTimeField(_("第一审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见/不予批准理由"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["region", "state", "id"], name="relief_app_region_state"),
            models.Index(fields=["state", "deadline"], name="relief_app_state_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="temporary") | ~Q(temporary_type=""), name="relief_app_temporary_has_type"
            ),
            # Maker–checker, kept by the database too.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | Q(investigator__isnull=True)
                | ~Q(decided_by=models.F("investigator")),
                name="relief_app_decider_not_investigator",
            ),
            # One open application per household and kind (rechecks included).
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(
                    state__in=["draft", "submitted", "returned", "accepted", "investigating", "proposed", "notice"]
                )
                & ~Q(kind="temporary"),
                name="relief_app_one_open_per_household_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class HomeVisit(models.Model):
    """入户调查: signed by the two staff who made it."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"))
    first_visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调查人一"), on_delete=models.PROTECT, related_name="+"
    )
    second_visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调查人二"), on_delete=models.PROTECT, related_name="+"
    )
    living_conditions = models.TextField(_("居住及生活状况"))
    findings = models.TextField(_("调查结论"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # Signed by two only once the second visitor confirms it in their own session;
    # if they decline it instead, the visit stays on record, void.
    confirmed_at = models.DateTimeField(_("调查人二确认时间"), null=True, blank=True)
    declined_at = models.DateTimeField(_("调查人二拒绝确认时间"), null=True, blank=True)
    decline_reason = models.CharField(_("拒绝确认理由"), max_length=500, blank=True)

    @property
    def status(self) -> str:
        return "confirmed" if self.confirmed_at else "declined" if self.declined_at else "pending"

    class Meta:
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_visitor=models.F("second_visitor")), name="relief_visit_two_different_staff"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(declined_at__isnull=True),
                name="relief_visit_confirmed_or_declined",
            ),
        ]


class Objection(models.Model):
    """An objection raised during the public notice; it sends the case back to investigation."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="objections"
    )
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("异议内容"))
    raised_by = models.CharField(_("异议人（可匿名）"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-received_on", "-id"]


class Benefit(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("正常享受")
        GRADUAL_EXIT = "gradual_exit", _("渐退期")
        SUSPENDED = "suspended", _("暂停")
        STOPPED = "stopped", _("已停发")

    PAYABLE = (Status.ACTIVE, Status.GRADUAL_EXIT)

    household = models.ForeignKey(
        Household, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="relief_benefits"
    )
    # Payee: the household head, or the extremely poor person themself.
    recipient = models.ForeignKey(Person, verbose_name=_("领取人"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("救助类别"), max_length=12, choices=Kind.choices)
    # Denormalised from the household: payroll groups and scopes by it without a join.
    region = models.ForeignKey(Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+")
    monthly_amount = models.DecimalField(_("月救助金额（元）"), max_digits=12, decimal_places=2)
    members = models.PositiveSmallIntegerField(_("保障人数"), default=1)
    care_level = models.CharField(_("照料护理等级"), max_length=8, choices=Application.CareLevel.choices, blank=True)
    start_month = models.DateField(_("起始月份"))
    # Last month paid: set for one-off temporary assistance and for gradual exit.
    last_month = models.DateField(_("最后发放月份"), null=True, blank=True)
    next_recheck = models.DateField(_("下次复核日期"), null=True, blank=True, db_index=True)
    stable = models.BooleanField(_("稳定家庭（12个月复核）"), default=False)
    status = models.CharField(_("状态"), max_length=14, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(_("状态原因"), max_length=200, blank=True)
    bank_account = models.CharField(_("收款银行账号"), max_length=32, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    application = models.ForeignKey(
        Application,
        verbose_name=_("审批申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefits",
    )
    # What the amount was worked out from, so a new standard can recompute it
    # in SQL (relief/services/recheck.py) without redoing the whole assessment.
    basis_standard = models.DecimalField(
        _("核定时低保标准（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    basis_per_capita = models.DecimalField(
        _("核定时人均月收入（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # The household's monthly income, exact to 30 places (the per-capita figure
    # above is rounded): the recheck recomputes amounts from it, rounding once.
    basis_monthly_income = models.DecimalField(
        _("核定时家庭月收入（元，未舍入）"), max_digits=44, decimal_places=30, null=True, blank=True
    )
    basis_extras = models.PositiveSmallIntegerField(_("分类施保加发人数"), default=0, db_default=0)
    # A new amount decided ahead of its month (a standard changed from a future
    # date): the payroll pays it from `pending_from`, the nightly recheck folds it in.
    pending_amount = models.DecimalField(
        _("待生效月救助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    pending_from = models.DateField(_("新金额生效月份"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("救助待遇")
        verbose_name_plural = _("救助待遇")
        ordering = ["region", "id"]
        indexes = [
            models.Index(fields=["region", "id"], name="relief_benefit_region_id"),
            models.Index(fields=["status", "kind"], name="relief_benefit_status_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="relief_benefit_amount_not_negative"),
            models.CheckConstraint(condition=Q(start_month__day=1), name="relief_benefit_start_first_of_month"),
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=models.F("start_month")),
                name="relief_benefit_last_after_start",
            ),
            models.CheckConstraint(
                condition=Q(pending_amount__isnull=True, pending_from__isnull=True)
                | Q(pending_amount__gte=0, pending_from__day=1),
                name="relief_benefit_pending_complete",
            ),
            # One live benefit per household and kind; temporary assistance is one-off and may repeat.
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=~Q(status="stopped") & ~Q(kind="temporary"),
                name="relief_benefit_one_live_per_household_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.household_id} {self.monthly_amount}"


class PayrollRoll(DistrictRoll):
    """One district's payment roll for one month; a reviewer of that district
    approves it before its bank file can be downloaded (civil_affairs/rolls.py)."""

    class Meta(DistrictRoll.Meta):
        verbose_name = _("发放花名册")
        verbose_name_plural = _("发放花名册")


class Payment(RollLine):
    """A benefit's payment of the month; a line above the review limit in force
    for its region is held (kept out of the bank file until someone clears it)."""

    roll = models.ForeignKey(PayrollRoll, verbose_name=_("花名册"), on_delete=models.PROTECT, related_name="payments")
    benefit = models.ForeignKey(Benefit, verbose_name=_("待遇"), on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("救助类别"), max_length=12, choices=Kind.choices)
    recipient = models.ForeignKey(Person, verbose_name=_("领取人"), on_delete=models.PROTECT, related_name="+")

    class Meta(RollLine.Meta):
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        constraints = [*RollLine.Meta.constraints, RollLine.once_per_month("benefit")]
        indexes = [models.Index(fields=["roll", "region", "id"], name="relief_payment_roll_region")]


# ---------------------------------------------------------------- household economic verification (核对)


# Feed rows are the core's (civil_affairs.FeedRecord, imported by civil_affairs/feeds.py; relief registers
# its kinds in relief/feeds.py); the name stays importable from here for relief's code and tests.
FeedRecord = CoreFeedRecord


class PriceIndex(models.Model):
    """Monthly price figures from the statistics office, in percent year on
    year.  A row for a region applies to its whole subtree unless a region
    further down has its own."""

    month = models.DateField(_("月份"))
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    cpi_yoy = models.DecimalField(_("居民消费价格指数同比涨幅（%）"), max_digits=6, decimal_places=2)
    food_yoy = models.DecimalField(_("食品价格同比涨幅（%）"), max_digits=6, decimal_places=2)
    run = models.ForeignKey(
        "civil_affairs.BatchRun",
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), db_default=Now())

    class Meta:
        verbose_name = _("价格指数")
        verbose_name_plural = _("价格指数")
        ordering = ["-month", "region"]
        constraints = [
            models.UniqueConstraint(fields=["month", "region"], name="relief_price_index_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="relief_price_index_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id} CPI {self.cpi_yoy}% 食品 {self.food_yoy}%"


class ReviewTask(models.Model):
    """Work the nightly recheck puts in a caseworker's queue: a data-feed hit
    with its evidence, a proposal, or a recheck falling due.  One task per
    benefit, kind and `key` (the feed row, or the due date), so rerunning the
    same night adds nothing."""

    class Kind(models.TextChoices):
        DEATH = "death", _("死亡核查")
        VEHICLE = "vehicle", _("车辆核查")
        PROPERTY = "property", _("房产核查")
        BUSINESS = "business", _("工商登记核查")
        INCOME = "income", _("收入超标（建议渐退）")
        MOVED_OUT = "moved_out", _("户籍迁出本市")
        RECHECK_DUE = "recheck_due", _("定期复核到期")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        DONE = "done", _("已处理")
        DISMISSED = "dismissed", _("核实无误，不作调整")

    kind = models.CharField(_("任务类型"), max_length=12, choices=Kind.choices)
    benefit = models.ForeignKey(Benefit, verbose_name=_("待遇"), on_delete=models.CASCADE, related_name="tasks")
    person = models.ForeignKey(
        Person, verbose_name=_("涉及人员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The benefit's community: the queue is scoped by it.
    region = models.ForeignKey(Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("来源标识"), max_length=40)
    feed_record = models.ForeignKey(
        CoreFeedRecord, verbose_name=_("比对数据"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence = models.JSONField(_("比对依据"), default=dict, blank=True)
    due = models.DateField(_("处理期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    run = models.ForeignKey(
        "civil_affairs.BatchRun",
        verbose_name=_("产生批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("生成时间"), db_default=Now())
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("核查任务")
        verbose_name_plural = _("核查任务")
        ordering = ["status", "due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "kind", "key"], name="relief_task_once"),
        ]
        indexes = [
            models.Index(fields=["region", "status", "id"], name="relief_task_region_status"),
            # The queue's order (open first, by due date, then id): a page is an index range.
            models.Index(fields=["status", "due", "id"], name="relief_task_status_due_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.benefit_id}"


# ---------------------------------------------------------------- price-linkage subsidy (物价补贴联动)


class PriceSubsidyRate(models.Model):
    """What one person in a region gets for a month, and the figures behind
    it; written once when the month's batch first runs, so a resumed run
    pays at the same rates."""

    month = models.DateField(_("月份"))
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    index_region = models.ForeignKey(Region, verbose_name=_("价格指数区划"), on_delete=models.PROTECT, related_name="+")
    cpi_yoy = models.DecimalField(_("CPI同比（%）"), max_digits=6, decimal_places=2)
    food_yoy = models.DecimalField(_("食品价格同比（%）"), max_digits=6, decimal_places=2)
    cpi_threshold = models.DecimalField(_("CPI启动条件（%）"), max_digits=6, decimal_places=2)
    food_threshold = models.DecimalField(_("食品启动条件（%）"), max_digits=6, decimal_places=2)
    rise = models.DecimalField(_("计发涨幅（%）"), max_digits=6, decimal_places=2)
    standard = models.DecimalField(_("低保标准（元/月）"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("每人补贴（元）"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("物价补贴计发标准")
        verbose_name_plural = _("物价补贴计发标准")
        ordering = ["-month", "region"]
        constraints = [
            models.UniqueConstraint(fields=["month", "region"], name="relief_subsidy_rate_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="relief_subsidy_rate_positive"),
        ]


class PriceSubsidyRoll(DistrictRoll):
    """One district's price-subsidy roll for one month, approved like a payroll roll."""

    class Meta(DistrictRoll.Meta):
        verbose_name = _("物价补贴花名册")
        verbose_name_plural = _("物价补贴花名册")


class PriceSubsidy(RollLine):
    """One person's subsidy for one month: once, whatever the number of
    covered groups they belong to (`group` is the one it was paid under: a
    key of the registry of covered groups, civil_affairs.areas.CoveredGroup)."""

    class Group(models.TextChoices):
        DIBAO = "dibao", _("低保对象")
        TEKUN = "tekun", _("特困人员")
        ORPHAN = "orphan", _("孤儿和事实无人抚养儿童")
        UNEMPLOYMENT = "unemployment", _("失业保险金领取人员")
        VETERAN = "veteran", _("领取定期抚恤补助的优抚对象")

    # The batch writes 200 000 rows a month: no index that another one already covers
    # ((person, month) serves person; (roll, region, id) serves roll and the region prefix).
    roll = models.ForeignKey(
        PriceSubsidyRoll, verbose_name=_("花名册"), on_delete=models.PROTECT, related_name="subsidies", db_index=False
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    group = models.CharField(_("保障群体"), max_length=12, choices=Group.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta(RollLine.Meta):
        verbose_name = _("物价补贴发放明细")
        verbose_name_plural = _("物价补贴发放明细")
        constraints = [*RollLine.Meta.constraints, RollLine.once_per_month("person")]
        indexes = [models.Index(fields=["roll", "region", "id"], name="relief_subsidy_roll_region")]
