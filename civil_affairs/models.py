"""Shared core: the region tree, people, households, accounts and roles,
audit log, documents and batch runs.  Every policy area builds on these."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Left, Now, Right
from django.utils.translation import gettext_lazy as _

from . import rules


def validate_id_number(value: str) -> None:
    try:
        rules.parse_id_number(value)
    except rules.IdNumberError as exc:
        raise ValidationError(str(exc), code="invalid_id_number") from None


def validate_person_name(value: str) -> None:
    try:
        rules.validate_person_name(value)
    except rules.PersonNameError as exc:
        raise ValidationError(str(exc), code="invalid_person_name") from None


class PersonNameField(models.CharField):
    """A person's name, checked by rules.validate_person_name wherever a model
    is validated (admin, imports, services).  Validators are not schema: the
    field deconstructs as a plain CharField, so no migration is needed."""

    default_validators = [validate_person_name]

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class Region(models.Model):
    """Administrative tree: city → district/county → street/township →
    community/village.  The primary key is the 12-digit statistical code and
    `prefix` is its materialised path: a subtree is `code LIKE prefix || '%'`
    (and `region_id LIKE …` on every table that points here), served by the
    indexes on region columns.  Codes use the "C" collation so that one plain
    B-tree index serves both the prefix match and ORDER BY, whatever the
    cluster's locale."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        COUNTY = 3, _("区/县")
        TOWNSHIP = 4, _("街道/乡镇")
        VILLAGE = 5, _("社区/村")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True, db_collation="C")
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    prefix = models.CharField(_("路径前缀"), max_length=12, editable=False)
    is_urban = models.BooleanField(_("城镇"), default=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^\d{12}$"), name="region_code_12_digits"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="region_level_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            rules.region_level_of(self.code)
        except ValueError as exc:
            raise ValidationError({"code": str(exc)}) from None
        if self.parent_id and not self.code.startswith(rules.region_prefix(self.parent_id)):
            raise ValidationError({"parent": _("区划代码不在上级区划范围内。")})

    def derive_from_code(self) -> None:
        self.level = rules.region_level_of(self.code)
        self.prefix = rules.region_prefix(self.code)

    def clean_fields(self, exclude=None):
        try:
            self.derive_from_code()
        except ValueError:
            pass  # clean() reports it against the code
        super().clean_fields(exclude=exclude)

    def save(self, *args, **kwargs):
        self.derive_from_code()
        super().save(*args, **kwargs)

    def contains(self, code: str | None) -> bool:
        return bool(code) and code.startswith(self.prefix)


class Person(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Disability(models.IntegerChoices):
        NONE = 0, _("无")
        GRADE_1 = 1, _("一级")
        GRADE_2 = 2, _("二级")
        GRADE_3 = 3, _("三级")
        GRADE_4 = 4, _("四级")

    class DisabilityType(models.TextChoices):
        NONE = "", _("无")
        PHYSICAL = "physical", _("肢体")
        VISUAL = "visual", _("视力")
        HEARING = "hearing", _("听力")
        SPEECH = "speech", _("言语")
        INTELLECTUAL = "intellectual", _("智力")
        MENTAL = "mental", _("精神")
        MULTIPLE = "multiple", _("多重")

    class LabourCapacity(models.TextChoices):
        FULL = "full", _("有劳动能力")
        PARTIAL = "partial", _("部分丧失劳动能力")
        NONE = "none", _("无劳动能力")

    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True, validators=[validate_id_number])
    # "C" collation: one index serves both "name starts with" and sort by name.
    name = PersonNameField(_("姓名"), max_length=50, db_collation="C")
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    hukou_region = models.ForeignKey(Region, verbose_name=_("户籍地"), on_delete=models.PROTECT, related_name="+")
    residence_region = models.ForeignKey(
        Region, verbose_name=_("居住地"), on_delete=models.PROTECT, related_name="residents"
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), choices=Disability.choices, default=0)
    disability_type = models.CharField(
        _("残疾类别"), max_length=16, choices=DisabilityType.choices, blank=True, default=""
    )
    labour_capacity = models.CharField(
        _("劳动能力"), max_length=8, choices=LabourCapacity.choices, default=LabourCapacity.FULL
    )
    # Counts for the social-assistance classified extras and the 12-month recheck (DOMAIN.md).
    serious_illness = models.BooleanField(_("患重特大疾病"), default=False, db_default=False)
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.CheckConstraint(
                condition=Q(disability_grade__gte=0, disability_grade__lte=4), name="person_disability_grade_range"
            ),
            models.CheckConstraint(condition=Q(id_number__regex=r"^\d{17}[\dX]$"), name="person_id_number_format"),
        ]
        indexes = [
            # Workbench sorts are (field, id): each reads its index instead of sorting a city.
            models.Index(fields=["name", "id"], name="person_name_id"),
            models.Index(fields=["residence_region", "id"], name="person_region_id"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
            # Lists filtered by disability grade (and sex), in a jurisdiction: the few
            # percent of people with a grade, so a filtered page never walks the registry.
            models.Index(
                fields=["disability_grade", "sex", "residence_region", "id"],
                condition=Q(disability_grade__gt=0),
                name="person_disabled",
            ),
            # Search by "name + last four of the ID number" (issue 10): never by an ID prefix.
            models.Index(Right("id_number", 4), "name", name="person_id_last4_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return rules.mask_id_number(self.id_number)

    def derive_from_id_number(self) -> None:
        info = rules.parse_id_number(self.id_number)
        self.id_number, self.sex, self.birth_date = info.number, info.sex, info.birth_date

    def clean_fields(self, exclude=None):
        try:
            self.derive_from_id_number()
        except rules.IdNumberError:
            pass  # the id_number validator reports it
        super().clean_fields(exclude=exclude)

    def save(self, *args, **kwargs):
        self.derive_from_id_number()
        super().save(*args, **kwargs)


class Household(models.Model):
    number = models.CharField(_("户编号"), max_length=20, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="households"
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        indexes = [
            models.Index(fields=["region", "id"], name="household_region_id"),
            models.Index(fields=["created_at", "id"], name="household_created_id"),
            # A household's number begins with the code of the street it was registered in, so
            # numbers follow region order: walking the number index for a late district passes
            # every earlier district.  These give a district's or a street's households in number
            # order (selectors.households_for_ordered_list filters on the same expressions); a
            # community's few hundred are read by household_region_id and sorted.  The same for
            # the newest first: a registry imported district by district was created in region order.
            models.Index(Left("region", 6), "number", "id", name="household_district_number"),
            models.Index(Left("region", 9), "number", "id", name="household_street_number"),
            models.Index(Left("region", 6), "created_at", "id", name="household_district_created"),
            models.Index(Left("region", 9), "created_at", "id", name="household_street_created"),
        ]

    def __str__(self) -> str:
        return self.number


class HouseholdMember(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        GRANDPARENT = "grandparent", _("祖父母")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.CASCADE, related_name="members")
    # A person belongs to one household at a time.
    person = models.OneToOneField(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="membership")
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices)
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(relation="head"), name="household_one_head"),
        ]
        # A search by name finds people, then their households: read from the index alone (no visit
        # to the table per person found; a common name has over a thousand in the city).
        indexes = [models.Index(fields=["person"], include=["household"], name="member_person_household")]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.person_id}"


class Source(models.TextChoices):
    DECLARED = "declared", _("申报")
    VERIFIED = "verified", _("核实")
    FEED = "feed", _("数据比对")


class HouseholdRecord(models.Model):
    """Common shape of income, asset and expenditure records: one member, one
    source, one period."""

    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.CASCADE)
    person = models.ForeignKey(Person, verbose_name=_("成员"), on_delete=models.CASCADE)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.DECLARED)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-period_end"]

    @classmethod
    def period_constraint(cls, name: str) -> models.CheckConstraint:
        return models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name=name)


class IncomeRecord(HouseholdRecord):
    class Kind(models.TextChoices):
        WAGES = "wages", _("工资性收入")
        BUSINESS = "business", _("经营净收入")
        PROPERTY = "property", _("财产净收入")
        TRANSFER = "transfer", _("转移净收入")
        # Not counted toward dibao income (DOMAIN.md): kept so the working is visible.
        VETERAN_ALLOWANCE = "veteran_allowance", _("优抚金")
        ONE_CHILD_AWARD = "one_child_award", _("独生子女奖励")
        BRAVERY_AWARD = "bravery_award", _("见义勇为奖励")
        DISABILITY_ALLOWANCE = "disability_allowance", _("残疾人两项补贴")
        CARE_SERVICE = "care_service", _("政府购买照护服务")

    kind = models.CharField(_("收入类型"), max_length=24, choices=Kind.choices)

    class Meta(HouseholdRecord.Meta):
        verbose_name = _("收入记录")
        verbose_name_plural = _("收入记录")
        constraints = [HouseholdRecord.period_constraint("income_period_order")]
        indexes = [models.Index(fields=["household", "period_end"], name="income_household_period")]


class AssetRecord(HouseholdRecord):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("存款")
        SECURITIES = "securities", _("有价证券")
        VEHICLE = "vehicle", _("机动车辆")
        MOBILITY_VEHICLE = "mobility_vehicle", _("残疾人代步车")
        HOUSE = "house", _("房产")
        BUSINESS = "business", _("工商登记")

    kind = models.CharField(_("资产类型"), max_length=20, choices=Kind.choices)

    class Meta(HouseholdRecord.Meta):
        verbose_name = _("资产记录")
        verbose_name_plural = _("资产记录")
        constraints = [HouseholdRecord.period_constraint("asset_period_order")]
        indexes = [models.Index(fields=["household", "period_end"], name="asset_household_period")]


class ExpenditureRecord(HouseholdRecord):
    class Kind(models.TextChoices):
        MEDICAL = "medical", _("自付医疗费用")
        EDUCATION = "education", _("教育费用")
        OTHER = "other", _("其他刚性支出")

    kind = models.CharField(_("支出类型"), max_length=12, choices=Kind.choices)

    class Meta(HouseholdRecord.Meta):
        verbose_name = _("支出记录")
        verbose_name_plural = _("支出记录")
        constraints = [HouseholdRecord.period_constraint("expenditure_period_order")]
        indexes = [models.Index(fields=["household", "period_end"], name="expenditure_household_period")]


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    CASEWORKER = "caseworker", _("街道/乡镇经办人")
    REVIEWER = "reviewer", _("区县审核人")
    COMMUNITY_WORKER = "community_worker", _("社区工作者/儿童主任")
    INSTITUTION_STAFF = "institution_staff", _("机构工作人员")
    CHARITY_STAFF = "charity_staff", _("慈善组织工作人员")
    BUREAU_ADMIN = "bureau_admin", _("民政局管理员")
    AUDITOR = "auditor", _("审计员（只读）")


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    region = models.ForeignKey(
        Region, verbose_name=_("管辖区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.OneToOneField(
        Person, verbose_name=_("本人"), null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    # A resident's account is bound to its person only once proved: by a code sent
    # to the phone the registry holds, or by a caseworker seeing them in person.
    # Until then the account sees no household data.
    verified_at = models.DateTimeField(_("实名核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "self", verbose_name=_("核验人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_method = models.CharField(
        _("核验方式"),
        max_length=12,
        blank=True,
        choices=[("sms", _("登记手机验证码")), ("in_person", _("窗口当面核验"))],
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # A staff role is bound to a region; a resident to a person.
            models.CheckConstraint(
                condition=Q(role="resident") | Q(region__isnull=False), name="staff_role_has_region"
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=Q(role="resident") & ~Q(phone=""), name="resident_phone_unique"
            ),
        ]

    @property
    def is_resident(self) -> bool:
        return self.role == Role.RESIDENT

    @property
    def is_verified_resident(self) -> bool:
        return self.is_resident and self.verified_at is not None


class OneTimeCode(models.Model):
    """A code sent by SMS to prove control of a phone (registration, password
    reset).  Only its hash is kept; it expires, and wrong tries are counted."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("注册")
        RESET_PASSWORD = "reset_password", _("找回密码")

    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    phone = models.CharField(_("手机号码"), max_length=20)
    code_hash = models.CharField(_("验证码摘要"), max_length=128)
    person = models.ForeignKey(
        "Person", verbose_name=_("人员"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone", "purpose", "created_at"], name="otp_phone_purpose_at")]


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        VIEW = "view", _("查看完整信息")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载材料")
        IMPORT = "import", _("导入")
        LOGIN = "login", _("登录")

    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象标识"), max_length=40, blank=True)
    region_code = models.CharField(_("所属区划"), max_length=12, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}#{self.target_id}"


def document_path(instance: Document, filename: str) -> str:
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Document(models.Model):
    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("身份证件")
        HUKOU = "hukou", _("户口簿")
        INCOME_PROOF = "income_proof", _("收入证明")
        MEDICAL = "medical", _("医疗证明")
        DISABILITY = "disability", _("残疾证")
        AUTHORISATION = "authorisation", _("核对授权书")
        ACCIDENT = "accident", _("火灾/事故证明")
        OTHER = "other", _("其他材料")

    household = models.ForeignKey(
        Household, verbose_name=_("家庭"), null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("材料类型"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=document_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False) | Q(person__isnull=False), name="document_has_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class BatchRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("任务类型"), max_length=40, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)  # the first ones, for the page
    # What the run produced, by name (lines added, tasks created, totals…), kept per chunk.
    result = models.JSONField(_("结果统计"), default=dict, blank=True)
    message = models.TextField(_("结果说明"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Touched by the worker after every chunk: a running run without a recent
    # heartbeat lost its worker and is shown as interrupted, resumable.
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批处理任务")
        verbose_name_plural = _("批处理任务")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")) | Q(total=0), name="batchrun_done_le_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.SUCCEEDED else 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class BatchRunError(models.Model):
    """Every bad row of a run, for the downloadable error file (BatchRun.errors
    keeps only the first ones for the page)."""

    run = models.ForeignKey(BatchRun, verbose_name=_("批处理任务"), on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(_("行号"), null=True, blank=True)
    reason = models.TextField(_("原因"))

    class Meta:
        verbose_name = _("批处理错误")
        verbose_name_plural = _("批处理错误")
        ordering = ["run", "row", "id"]


class Parameter(models.Model):
    """A dated parameter: one amount, rate, threshold or period of a policy
    area, for a region from a date.  The keys are the areas' own (each
    registers them with labels, units and bounds: areas.ParameterKey).  The
    value in force for a community on a day is the newest row on or before
    that day of the nearest region up the tree that has one."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("参数"), max_length=60)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4)
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("依据/说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["key", "region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "key", "effective_from"], name="parameter_unique_per_day"),
            models.CheckConstraint(condition=Q(value__gte=0), name="parameter_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.region_id} {self.effective_from}: {self.value}"


class CalendarDay(models.Model):
    """Exceptions to Monday–Friday working weeks: public holidays, and the
    weekend days worked in exchange (调休).  Seeded from the chinese-calendar
    package for the years it knows (`calendar_seed`); administrators' rows
    (source = admin) are never overwritten by a later seeding."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("国务院安排（chinese-calendar）")
        ADMIN = "admin", _("管理员维护")

    date = models.DateField(_("日期"), primary_key=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("说明"), max_length=40, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


# ---------------------------------------------------------------- district payment rolls (civil_affairs/rolls.py)


class DistrictRoll(models.Model):
    """One district's payment roll of one kind for one month (an area's
    concrete model adds no field: the table is the kind).  A reviewer of the
    district approves it once; from then on it never changes and its bank
    file can be downloaded.  approved_lines / approved_total record what the
    approver saw, so a later run cannot add to an approved roll unnoticed."""

    class Status(models.TextChoices):
        GENERATED = "generated", _("待审核")
        APPROVED = "approved", _("已审核")

    month = models.DateField(_("发放月份"))
    district = models.ForeignKey(Region, verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.GENERATED)
    # db_default: batches create rolls with one INSERT … SELECT
    generated_at = models.DateTimeField(_("生成时间"), db_default=Now())
    approved_by = models.ForeignKey(
        User, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_lines = models.PositiveIntegerField(_("审核时明细数"), null=True, blank=True)
    approved_total = models.DecimalField(_("审核时合计（元）"), max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-month", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "district"], name="%(app_label)s_%(class)s_one_per_district_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="%(app_label)s_%(class)s_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.district_id}"


class RollLine(models.Model):
    """One payment of a district roll.  The concrete model declares `roll`
    (its DistrictRoll), the person paid and what the line is for (a benefit,
    a group), and adds the constraint `once_per_month(<beneficiary>)`: one
    line per beneficiary and month in a kind of roll, so a rerun pays nobody
    twice."""

    month = models.DateField(_("发放月份"))
    region = models.ForeignKey(Region, verbose_name=_("所在社区/村"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    bank_account = models.CharField(_("收款银行账号"), max_length=32, blank=True)
    # Kept out of the bank file until a reviewer releases it (or withdraws it from the roll).
    held = models.BooleanField(_("暂停发放待复核"), default=False, db_default=False)

    class Meta:
        abstract = True
        ordering = ["roll", "region", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="%(app_label)s_%(class)s_month_first_day"),
        ]

    @staticmethod
    def once_per_month(beneficiary: str) -> models.UniqueConstraint:
        return models.UniqueConstraint(fields=[beneficiary, "month"], name="%(app_label)s_%(class)s_once_per_month")


# ---------------------------------------------------------------- data-exchange feeds (数据比对)


def feed_kind_validator(value: str) -> None:
    """A FeedRecord's kind must be one the core or an area registered (civil_affairs.feeds.feed_kinds)."""
    from .feeds import feed_kinds

    if value not in feed_kinds():
        raise ValidationError(_("未登记的比对数据类别“%(k)s”。"), params={"k": value})


class FeedRecord(models.Model):
    """One row of a data-exchange feed (数据比对), as imported by the core
    (civil_affairs/feeds.py).  `kind` is a feed kind registered by the core or
    an area (areas.FeedKind); `key` is what makes a row the same row again (a
    plate, a certificate, a month and an employer…), so importing a file twice
    adds nothing.  `checked_at` stays empty until a nightly recheck (an area's
    batch) has matched the row against its cases."""

    kind = models.CharField(_("数据类别"), max_length=12, validators=[feed_kind_validator])
    id_number = models.CharField(_("公民身份号码"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    key = models.CharField(_("记录标识"), max_length=80)
    # Death date, registration date, wage month, move date or list month (1st).
    event_date = models.DateField(_("发生日期/月份"))
    # Vehicle value, wages of the month, registered capital; empty where none.
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    detail = models.JSONField(_("明细"), default=dict, blank=True)
    run = models.ForeignKey(
        "civil_affairs.BatchRun",
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), db_default=Now())
    checked_at = models.DateTimeField(_("比对时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("比对数据")
        verbose_name_plural = _("比对数据")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "id_number", "key"], name="feed_once"),
        ]
        indexes = [
            models.Index(fields=["id_number"], name="feed_id_number"),
            models.Index(fields=["kind", "event_date"], name="feed_kind_date"),
            models.Index(fields=["id"], condition=Q(checked_at__isnull=True), name="feed_unchecked"),
        ]

    @property
    def kind_label(self) -> str:
        from .feeds import feed_kinds

        found = feed_kinds().get(self.kind)
        return str(found.label) if found else self.kind

    def get_kind_display(self) -> str:
        return self.kind_label

    def __str__(self) -> str:
        return f"{self.kind_label} {self.key}"
