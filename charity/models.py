"""Charity (慈善): organisations, their staff, campaigns, funds and projects,
donations on an append-only ledger, receipts numbered without gaps, and
disbursements approved by a second person of the organisation.

The ledger (LedgerEntry) is never updated or deleted: triggers in the database
refuse it (migration 0002), so a mistake is only undone by a reversing entry
with a reason.  LedgerTotal is the ledger summed per organisation, fund,
project, year and kind, kept by a statement-level trigger in the same
transaction as the entries it sums."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civil_affairs.models import Household, Person, Region


class Organisation(models.Model):
    class Type(models.TextChoices):
        FOUNDATION = "foundation", _("基金会")
        SOCIAL_GROUP = "social_group", _("社会团体")
        SOCIAL_SERVICE = "social_service", _("社会服务机构")

    class Recognition(models.TextChoices):
        NONE = "none", _("未申请认定")
        APPLIED = "applied", _("已申请认定")
        RECOGNISED = "recognised", _("已认定为慈善组织")
        REFUSED = "refused", _("不予认定")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("登记管理机关所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    org_type = models.CharField(_("组织类型"), max_length=20, choices=Type.choices)
    registered_on = models.DateField(_("登记日期"))
    rating = models.PositiveSmallIntegerField(_("社会组织评估等级（A）"), default=0)
    recognition = models.CharField(_("慈善组织认定"), max_length=12, choices=Recognition.choices, default="none")
    recognition_applied_on = models.DateField(_("认定申请日期"), null=True, blank=True)
    recognised_on = models.DateField(_("认定/登记为慈善组织日期"), null=True, blank=True)
    public_fundraising = models.BooleanField(_("具有公开募捐资格"), default=False)
    public_fundraising_on = models.DateField(_("取得公开募捐资格日期"), null=True, blank=True)
    governance = models.JSONField(_("治理条件清单"), default=dict, blank=True)
    net_assets_last_year = models.DecimalField(_("上年末净资产（元）"), max_digits=16, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("慈善组织")
        verbose_name_plural = _("慈善组织")
        ordering = ["region_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__lte=5), name="charity_org_rating_0_5"),
            models.CheckConstraint(
                condition=~Q(recognition="recognised") | Q(recognised_on__isnull=False),
                name="charity_org_recognised_has_date",
            ),
        ]
        indexes = [models.Index(fields=["region", "id"], name="charity_org_region_id")]

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    """A charity_staff user bound to one organisation: they see its records only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        on_delete=models.CASCADE,
        related_name="charity_membership",
    )
    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("慈善组织工作人员")
        verbose_name_plural = _("慈善组织工作人员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class Fund(models.Model):
    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT)
    name = models.CharField(_("基金名称"), max_length=100)
    is_named = models.BooleanField(_("冠名基金"), default=False)
    created_at = models.DateTimeField(_("设立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("慈善基金")
        verbose_name_plural = _("慈善基金")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="charity_fund_name_unique")]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT)
    name = models.CharField(_("项目名称"), max_length=100)
    fund = models.ForeignKey(Fund, verbose_name=_("所属基金"), null=True, blank=True, on_delete=models.PROTECT)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    description = models.TextField(_("项目说明"), blank=True)

    class Meta:
        verbose_name = _("慈善项目")
        verbose_name_plural = _("慈善项目")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="charity_project_name_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="charity_project_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A fundraising drive (e.g. 慈善一日捐); a public one takes donations only
    once its fundraising plan is filed."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT)
    name = models.CharField(_("募捐活动名称"), max_length=100)
    is_public = models.BooleanField(_("公开募捐"), default=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    fund = models.ForeignKey(Fund, verbose_name=_("募得款项进入基金"), null=True, blank=True, on_delete=models.PROTECT)
    project = models.ForeignKey(
        Project, verbose_name=_("募得款项用于项目"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("募捐活动")
        verbose_name_plural = _("募捐活动")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="charity_campaign_name_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="charity_campaign_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class FundraisingPlan(models.Model):
    """募捐方案备案: filed before a public campaign takes donations."""

    campaign = models.OneToOneField(Campaign, verbose_name=_("募捐活动"), on_delete=models.PROTECT, related_name="plan")
    filed_on = models.DateField(_("备案日期"))
    record_number = models.CharField(_("备案编号"), max_length=40)
    summary = models.TextField(_("方案摘要"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("募捐方案备案")
        verbose_name_plural = _("募捐方案备案")

    def __str__(self) -> str:
        return self.record_number


class Donor(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        COMPANY = "company", _("单位")

    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT)
    kind = models.CharField(_("捐赠人类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("捐赠人"), max_length=100)
    id_number = models.CharField(_("证件号码/统一社会信用代码"), max_length=20, blank=True)
    person = models.ForeignKey(
        Person, verbose_name=_("登记居民"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # how the donor is matched on entry and import: the ID number, else the account or the name
    key = models.CharField(_("识别键"), max_length=120)

    class Meta:
        verbose_name = _("捐赠人")
        verbose_name_plural = _("捐赠人")
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="charity_donor_key_unique")]
        indexes = [models.Index(fields=["person"], name="charity_donor_person")]

    def __str__(self) -> str:
        return self.name


class Donation(models.Model):
    class Kind(models.TextChoices):
        MONEY = "money", _("资金")
        IN_KIND = "in_kind", _("物资（估值）")

    # organisation and donor are served by the (organisation, day) and (donor, day) indexes below: no FK index of
    # their own, so a million-row import maintains fewer indexes
    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT, db_index=False)
    donor = models.ForeignKey(
        Donor, verbose_name=_("捐赠人"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    anonymous = models.BooleanField(_("匿名"), default=False)
    kind = models.CharField(_("捐赠形式"), max_length=10, choices=Kind.choices, default=Kind.MONEY)
    item = models.CharField(_("捐赠物资"), max_length=100, blank=True)
    amount = models.DecimalField(_("金额/估值（元）"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("捐赠日期"))
    # campaign, fund and project are empty on most donations: partial indexes (Meta) hold only the rows that have one
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("募捐活动"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    fund = models.ForeignKey(
        Fund, verbose_name=_("定向基金"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    project = models.ForeignKey(
        Project, verbose_name=_("定向项目"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    transaction_id = models.CharField(_("流水号"), max_length=64, blank=True)
    receipt_declined = models.BooleanField(_("捐赠人不需要票据"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="charity_donation_amount_positive"),
            models.CheckConstraint(condition=~Q(kind="in_kind") | ~Q(item=""), name="charity_donation_item_named"),
            models.CheckConstraint(condition=Q(anonymous=True) | Q(donor__isnull=False), name="charity_donation_donor"),
            models.UniqueConstraint(
                fields=["organisation", "transaction_id"],
                condition=~Q(transaction_id=""),
                name="charity_donation_transaction_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "received_on", "id"], name="charity_donation_org_day"),
            models.Index(fields=["donor", "received_on"], name="charity_donation_donor_day"),
            models.Index(
                fields=["campaign"], condition=Q(campaign__isnull=False), name="charity_donation_campaign_set"
            ),
            models.Index(fields=["fund"], condition=Q(fund__isnull=False), name="charity_donation_fund_set"),
            models.Index(fields=["project"], condition=Q(project__isnull=False), name="charity_donation_project_set"),
        ]

    def __str__(self) -> str:
        return f"{self.donor or _('匿名')} {self.amount}"

    @property
    def restricted(self) -> bool:
        return bool(self.fund_id or self.project_id)

    @property
    def receipt(self):
        """The receipt that covers this donation now (a line of a receipt not void), if any;
        lists prefetch it into `active_lines` (selectors.with_receipts)."""
        lines = getattr(self, "active_lines", None)
        if lines is None:
            line = self.receipt_lines.filter(active=True).select_related("receipt").first()
            return line.receipt if line else None
        return lines[0].receipt if lines else None


class Disbursement(models.Model):
    """Help paid to a registry person or household, or to an organisation;
    proposed by one person of the organisation and approved by another."""

    class Beneficiary(models.TextChoices):
        PERSON = "person", _("个人")
        HOUSEHOLD = "household", _("家庭")
        ORGANISATION = "organisation", _("单位")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已拨付")
        REJECTED = "rejected", _("不予拨付")

    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT)
    fund = models.ForeignKey(Fund, verbose_name=_("支出基金"), null=True, blank=True, on_delete=models.PROTECT)
    project = models.ForeignKey(Project, verbose_name=_("慈善项目"), null=True, blank=True, on_delete=models.PROTECT)
    beneficiary_kind = models.CharField(_("受益人类型"), max_length=12, choices=Beneficiary.choices)
    person = models.ForeignKey(Person, verbose_name=_("受益人"), null=True, blank=True, on_delete=models.PROTECT)
    household = models.ForeignKey(
        Household, verbose_name=_("受益家庭"), null=True, blank=True, on_delete=models.PROTECT
    )
    beneficiary_name = models.CharField(_("受益单位"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("受益人所在区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=200)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reject_reason = models.CharField(_("不予拨付理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("慈善支出")
        verbose_name_plural = _("慈善支出")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="charity_disbursement_amount_positive"),
            # maker–checker: the person who proposed it never approves it
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="charity_disbursement_maker_checker",
            ),
            models.CheckConstraint(
                condition=(Q(beneficiary_kind="person") & Q(person__isnull=False))
                | (Q(beneficiary_kind="household") & Q(household__isnull=False))
                | (Q(beneficiary_kind="organisation") & ~Q(beneficiary_name="")),
                name="charity_disbursement_beneficiary",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "id"], name="charity_disb_org_status"),
            models.Index(fields=["person"], name="charity_disb_person"),
            models.Index(fields=["household"], name="charity_disb_household"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount}"


class LedgerEntry(models.Model):
    """One line of the organisation's money: positive in, negative out.
    Never updated or deleted (database triggers); a reversal is a new entry
    of the same kind, opposite amount, pointing at the entry it reverses."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("捐赠收入")
        TRANSFER = "transfer", _("基金间划转")
        DISBURSEMENT = "disbursement", _("慈善活动支出")
        MANAGEMENT_COST = "management_cost", _("管理费用")

    # Indexes: (organisation, day) for the ledger pages, fund and project for balances checked by hand, the
    # partial unique ones for donations and disbursements; the rest are totalled by the trigger, not searched.
    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT, db_index=False)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    # fund and project: partial indexes (Meta), as on donations
    fund = models.ForeignKey(
        Fund, verbose_name=_("基金"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("募捐活动"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    donation = models.ForeignKey(
        Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    disbursement = models.ForeignKey(
        Disbursement, null=True, blank=True, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    transfer_group = models.UUIDField(_("划转批次"), null=True, blank=True)
    reason = models.CharField(_("摘要/冲正原因"), max_length=200, blank=True)
    entered_on = models.DateField(_("记账日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("慈善账目分录")
        verbose_name_plural = _("慈善账目分录")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="charity_ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""), name="charity_ledger_reversal_has_reason"
            ),
            # the sign follows the kind (a reversal has the opposite sign of what it reverses)
            models.CheckConstraint(
                condition=Q(reverses__isnull=False)
                | Q(kind="transfer")
                | (Q(kind="donation") & Q(amount__gt=0))
                | (Q(kind__in=["disbursement", "management_cost"]) & Q(amount__lt=0)),
                name="charity_ledger_sign_by_kind",
            ),
            models.UniqueConstraint(
                fields=["donation"],
                condition=Q(reverses__isnull=True) & Q(donation__isnull=False),
                name="charity_ledger_donation_once",
            ),
            models.UniqueConstraint(
                fields=["disbursement"],
                condition=Q(reverses__isnull=True) & Q(disbursement__isnull=False),
                name="charity_ledger_disbursement_once",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "entered_on", "id"], name="charity_ledger_org_day"),
            models.Index(fields=["fund"], condition=Q(fund__isnull=False), name="charity_ledger_fund_set"),
            models.Index(fields=["project"], condition=Q(project__isnull=False), name="charity_ledger_project_set"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class LedgerTotal(models.Model):
    """The ledger summed per organisation, fund (0: none), project (0: none),
    campaign (0: none), year and kind; written only by the ledger's insert trigger."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    fund_key = models.BigIntegerField(default=0)
    project_key = models.BigIntegerField(default=0)
    campaign_key = models.BigIntegerField(default=0)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=LedgerEntry.Kind.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    entries = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("账目汇总")
        verbose_name_plural = _("账目汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fund_key", "project_key", "campaign_key", "year", "kind"],
                name="charity_ledger_total_key",
            )
        ]


class ReceiptCounter(models.Model):
    """The last receipt number used by an organisation in a year: locked by
    the transaction that takes the next number, so numbers have no gaps."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("票据号计数")
        verbose_name_plural = _("票据号计数")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="charity_receipt_counter_key")]


class Receipt(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("单笔")
        YEARLY = "yearly", _("年度汇总")

    # both served by the composite indexes below (org, year, number) and (donor, year)
    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT, db_index=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("顺序号"))
    kind = models.CharField(_("票据类型"), max_length=10, choices=Kind.choices)
    donor = models.ForeignKey(Donor, verbose_name=_("捐赠人"), on_delete=models.PROTECT, db_index=False)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    issued_on = models.DateField(_("开具日期"))
    e_receipt_code = models.CharField(_("电子票据校验码"), max_length=64, blank=True)
    void = models.BooleanField(_("已作废"), default=False)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("捐赠票据")
        verbose_name_plural = _("捐赠票据")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "number"], name="charity_receipt_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="charity_receipt_amount_positive"),
            models.CheckConstraint(condition=Q(void=False) | ~Q(void_reason=""), name="charity_receipt_void_reason"),
        ]
        indexes = [models.Index(fields=["donor", "year"], name="charity_receipt_donor_year")]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.year}-{self.organisation_id:04d}-{self.number:07d}"


class ReceiptLine(models.Model):
    """A donation a receipt covers (kept, inactive, when the receipt is voided).
    A donation has at most one active line: the database says so, and whether a
    donation is receipted is read here, so issuing 100 000 yearly receipts
    writes lines only and never rewrites the donations."""

    # a receipt's lines are found by the (receipt, donation) unique index: no index of the receipt's own
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines", db_index=False)
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="receipt_lines", db_index=False)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("票据明细")
        verbose_name_plural = _("票据明细")
        constraints = [
            models.UniqueConstraint(fields=["receipt", "donation"], name="charity_receipt_line_unique"),
            models.UniqueConstraint(
                fields=["donation"], condition=Q(active=True), name="charity_donation_one_active_receipt"
            ),
        ]


class Disclosure(models.Model):
    """A publication on the disclosure platform (慈善中国) the organisation records."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年度工作报告和财务会计报告")
        CAMPAIGN = "campaign", _("公开募捐情况")
        PROJECT = "project", _("慈善项目实施情况")

    organisation = models.ForeignKey(Organisation, verbose_name=_("慈善组织"), on_delete=models.PROTECT)
    kind = models.CharField(_("公开事项"), max_length=10, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("报告年度"), null=True, blank=True)
    published_on = models.DateField(_("公开日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("信息公开记录")
        verbose_name_plural = _("信息公开记录")
