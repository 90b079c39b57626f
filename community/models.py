"""Grassroots governance (基层治理): communities' grids and groups, committees
and their terms, committee elections with the voter roll and ballot boxes,
deliberation topics (议事协商) with their execution, social organisations with
annual reports and ratings.  A community is the core's Region of level 5."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civil_affairs.models import Person, Region

# ---------------------------------------------------------------- communities


class Grid(models.Model):
    """网格: a part of a community a grid worker looks after."""

    region = models.ForeignKey(Region, verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("网格名称"), max_length=60)
    worker = models.CharField(_("网格员"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="community_grid_unique_name")]

    def __str__(self) -> str:
        return self.name


class NeighbourhoodGroup(models.Model):
    """居民小组/村民小组."""

    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("小组名称"), max_length=60)
    leader = models.CharField(_("组长"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("居民小组")
        verbose_name_plural = _("居民小组")
        ordering = ["grid_id", "name"]
        constraints = [models.UniqueConstraint(fields=["grid", "name"], name="community_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """A residents' or villagers' committee for one term of 5 years."""

    region = models.ForeignKey(Region, verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="+")
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期届满（下次换届）"))
    current = models.BooleanField(_("本届"), default=True)
    election = models.OneToOneField(
        "Election", verbose_name=_("选举"), null=True, blank=True, on_delete=models.SET_NULL, related_name="committee"
    )

    class Meta:
        verbose_name = _("居（村）民委员会")
        verbose_name_plural = _("居（村）民委员会")
        ordering = ["region_id", "-term_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=Q(current=True), name="community_one_current_committee"
            ),
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="community_term_ends_later"),
        ]
        indexes = [models.Index(fields=["current", "term_end"], name="community_committee_due")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.term_start:%Y}–{self.term_end:%Y}"


class CommitteeMember(models.Model):
    class Post(models.TextChoices):
        CHAIR = "chair", _("主任")
        VICE = "vice", _("副主任")
        MEMBER = "member", _("委员")

    committee = models.ForeignKey(Committee, verbose_name=_("委员会"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, verbose_name=_("成员"), on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("职务"), max_length=8, choices=Post.choices, default=Post.MEMBER)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期届满"))

    class Meta:
        verbose_name = _("委员会成员")
        verbose_name_plural = _("委员会成员")
        ordering = ["committee_id", "post", "id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "person"], name="community_member_once"),
            models.UniqueConstraint(fields=["committee"], condition=Q(post="chair"), name="community_one_chair"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_post_display()}"


# ---------------------------------------------------------------- elections


class Election(models.Model):
    class State(models.TextChoices):
        PREPARING = "preparing", _("选举委员会已组成")
        ROLL = "roll", _("选民登记")
        PUBLISHED = "published", _("选民名单已公布")
        CANDIDATES = "candidates", _("候选人已确定")
        COUNTED = "counted", _("已计票")
        ANNOUNCED = "announced", _("结果已公告")
        HANDED_OVER = "handed_over", _("已完成移交")

    region = models.ForeignKey(Region, verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="+")
    election_day = models.DateField(_("选举日"))
    seats = models.PositiveSmallIntegerField(_("应选名额"), default=5)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PREPARING)
    committee_formed_on = models.DateField(_("选举委员会组成日期"))
    election_committee = models.TextField(_("选举委员会成员"), blank=True)
    roll_published_on = models.DateField(_("选民名单公布日期"), null=True, blank=True)
    registered = models.PositiveIntegerField(_("登记选民"), null=True, blank=True)
    voted = models.PositiveIntegerField(_("参加投票"), null=True, blank=True)
    turnout = models.DecimalField(_("参选率（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    valid = models.BooleanField(_("选举有效"), null=True, blank=True)
    runoff_required = models.BooleanField(_("需另行选举"), default=False)
    announced_on = models.DateField(_("结果公告日期"), null=True, blank=True)
    handover_due = models.DateField(_("移交期限"), null=True, blank=True)
    handed_over_on = models.DateField(_("移交日期"), null=True, blank=True)
    handover_late = models.BooleanField(_("逾期移交"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("换届选举")
        verbose_name_plural = _("换届选举")
        ordering = ["-election_day", "-id"]
        indexes = [
            models.Index(fields=["region", "election_day"], name="community_election_region_day"),
            models.Index(fields=["election_day", "id"], name="community_election_day_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=3, seats__lte=7), name="community_election_3_to_7_seats"),
            models.CheckConstraint(
                condition=Q(roll_published_on__isnull=True)
                | Q(election_day__gte=models.F("roll_published_on") + dt.timedelta(days=20)),
                name="community_roll_published_20_days_ahead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.election_day}"


class Voter(models.Model):
    """One line of an election's voter roll: from the registry, or added by
    hand with a reason; removal keeps the line with its reason."""

    class Source(models.TextChoices):
        REGISTRY = "registry", _("户籍登记")
        ADDED = "added", _("补充登记")

    election = models.ForeignKey(Election, verbose_name=_("选举"), on_delete=models.CASCADE, related_name="voters")
    person = models.ForeignKey(Person, verbose_name=_("选民"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.REGISTRY)
    added_reason = models.CharField(_("补充登记原因"), max_length=200, blank=True)
    removed = models.BooleanField(_("已除名"), default=False)
    removed_reason = models.CharField(_("除名原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("选民")
        verbose_name_plural = _("选民名单")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="community_voter_once"),
            models.CheckConstraint(
                condition=Q(source="registry") | ~Q(added_reason=""), name="community_voter_added_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(removed=False) | ~Q(removed_reason=""), name="community_voter_removed_has_reason"
            ),
        ]


class Candidate(models.Model):
    election = models.ForeignKey(Election, verbose_name=_("选举"), on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, verbose_name=_("候选人"), on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField(_("得票"), null=True, blank=True)
    elected = models.BooleanField(_("当选"), default=False)
    runoff = models.BooleanField(_("进入另行选举"), default=False)

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["election_id", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="community_candidate_once")]

    def __str__(self) -> str:
        return self.person.name


class BallotBox(models.Model):
    election = models.ForeignKey(Election, verbose_name=_("选举"), on_delete=models.CASCADE, related_name="boxes")
    name = models.CharField(_("票箱"), max_length=40)
    registered = models.PositiveIntegerField(_("登记选民"))
    issued = models.PositiveIntegerField(_("发出选票"))
    returned = models.PositiveIntegerField(_("收回选票"))
    valid = models.PositiveIntegerField(_("有效票"))
    invalid = models.PositiveIntegerField(_("无效票"))

    class Meta:
        verbose_name = _("票箱")
        verbose_name_plural = _("票箱")
        ordering = ["election_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="community_box_unique_name"),
            models.CheckConstraint(
                condition=Q(valid=models.F("returned") - models.F("invalid")), name="community_box_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(returned__lte=models.F("issued")), name="community_box_returned_le_issued"
            ),
        ]


class BoxVote(models.Model):
    box = models.ForeignKey(BallotBox, verbose_name=_("票箱"), on_delete=models.CASCADE, related_name="votes")
    candidate = models.ForeignKey(Candidate, verbose_name=_("候选人"), on_delete=models.CASCADE, related_name="+")
    votes = models.PositiveIntegerField(_("得票"))

    class Meta:
        verbose_name = _("票箱得票")
        verbose_name_plural = _("票箱得票")
        constraints = [models.UniqueConstraint(fields=["box", "candidate"], name="community_boxvote_once")]


# ---------------------------------------------------------------- deliberation


class Topic(models.Model):
    """议事协商: 议题征集 → 议题确定 → 通知 → 协商会议 → 形成意见 → 公示 → 实施 → 反馈."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("议题征集")
        DECLINED = "declined", _("不予采纳")
        ACCEPTED = "accepted", _("议题确定")
        NOTIFIED = "notified", _("已通知")
        MET = "met", _("已召开协商会议")
        RESOLVED = "resolved", _("已形成意见")
        PUBLISHED = "published", _("公示中")
        EXECUTING = "executing", _("实施中")
        DONE = "done", _("实施完成")
        REPORTED = "reported", _("已反馈")

    region = models.ForeignKey(Region, verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("议题"), max_length=120)
    description = models.TextField(_("内容"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PROPOSED)
    proposer = models.ForeignKey(
        Person, verbose_name=_("提议人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提议账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_on = models.DateField(_("提议日期"))
    decline_reason = models.TextField(_("不予采纳理由"), blank=True)
    participants = models.TextField(_("参与人员"), blank=True)
    notice = models.TextField(_("会议通知及材料"), blank=True)
    meeting_on = models.DateField(_("会议日期"), null=True, blank=True)
    meeting_place = models.CharField(_("会议地点"), max_length=120, blank=True)
    attendance = models.PositiveIntegerField(_("参会人数"), null=True, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    resolution = models.TextField(_("协商意见"), blank=True)
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    owner = models.CharField(_("实施责任人"), max_length=60, blank=True)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("实施进度（%）"), default=0)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    feedback = models.TextField(_("反馈"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协商议题")
        verbose_name_plural = _("协商议题")
        ordering = ["-proposed_on", "-id"]
        indexes = [
            models.Index(fields=["region", "state", "id"], name="community_topic_region_state"),
            models.Index(fields=["due_on"], condition=Q(due_on__isnull=False), name="community_topic_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="community_topic_progress_0_100"),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""), name="community_topic_declined_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TopicEntry(models.Model):
    """A timeline entry of a topic: each step, and each progress report with its evidence."""

    class Step(models.TextChoices):
        PROPOSE = "propose", _("提出议题")
        ACCEPT = "accept", _("议题确定")
        DECLINE = "decline", _("不予采纳")
        NOTIFY = "notify", _("发出通知")
        MEET = "meet", _("召开协商会议")
        RESOLVE = "resolve", _("形成协商意见")
        PUBLISH = "publish", _("公示")
        PROGRESS = "progress", _("实施进展")
        FEEDBACK = "feedback", _("反馈")

    topic = models.ForeignKey(Topic, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="entries")
    step = models.CharField(_("环节"), max_length=10, choices=Step.choices)
    on = models.DateField(_("日期"))
    note = models.TextField(_("说明"), blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), null=True, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="community/%Y/%m/", blank=True)
    evidence_name = models.CharField(_("材料文件名"), max_length=200, blank=True)
    evidence_type = models.CharField(_("文件类型"), max_length=60, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议题进展")
        verbose_name_plural = _("议题进展")
        ordering = ["topic_id", "created_at", "id"]


class TopicFollow(models.Model):
    topic = models.ForeignKey(Topic, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("居民"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="community_follow_once")]


# ---------------------------------------------------------------- social organisations


class SocialOrg(models.Model):
    class Kind(models.TextChoices):
        SOCIAL_GROUP = "group", _("社会团体")
        NON_ENTERPRISE = "non_ent", _("民办非企业单位")
        FOUNDATION = "foundation", _("基金会")
        COMMUNITY = "community", _("社区社会组织")

    region = models.ForeignKey(
        Region, verbose_name=_("登记/备案机关所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    registered_on = models.DateField(_("登记（备案）日期"))
    legal_rep = models.CharField(_("法定代表人/负责人"), max_length=40, blank=True)
    business_scope = models.CharField(_("业务范围"), max_length=200, blank=True)
    penalised_on = models.DateField(_("最近行政处罚日期"), null=True, blank=True)
    penalty_outstanding = models.BooleanField(_("处罚未执行完毕"), default=False)
    under_investigation = models.BooleanField(_("正在立案调查"), default=False)
    abnormal_since = models.DateField(_("列入活动异常名录日期"), null=True, blank=True)
    abnormal_reason = models.CharField(_("活动异常原因"), max_length=200, blank=True)
    violation_since = models.DateField(_("列入严重违法失信名单日期"), null=True, blank=True)
    violation_reason = models.CharField(_("严重违法失信原因"), max_length=200, blank=True)
    grade = models.CharField(_("评估等级"), max_length=2, blank=True)
    grade_until = models.DateField(_("等级有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["region_id", "name"]
        indexes = [
            models.Index(fields=["region", "kind", "id"], name="community_org_region_kind"),
            models.Index(fields=["grade_until"], condition=~Q(grade=""), name="community_org_grade_until"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="community_org_credit_code"
            ),
            models.CheckConstraint(
                condition=Q(abnormal_since__isnull=True) | ~Q(abnormal_reason=""), name="community_org_abnormal_reason"
            ),
            models.CheckConstraint(
                condition=Q(violation_since__isnull=True) | ~Q(violation_reason=""),
                name="community_org_violation_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AnnualReport(models.Model):
    class Result(models.TextChoices):
        PENDING = "", _("待审")
        PASS = "pass", _("合格")
        BASIC = "basic", _("基本合格")
        FAIL = "fail", _("不合格")

    org = models.ForeignKey(SocialOrg, verbose_name=_("社会组织"), on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("年度"))
    submitted_on = models.DateField(_("报送日期"))
    late = models.BooleanField(_("逾期报送"), default=False)
    result = models.CharField(_("结论"), max_length=5, choices=Result.choices, blank=True)

    class Meta:
        verbose_name = _("年度报告")
        verbose_name_plural = _("年度报告")
        ordering = ["org_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="community_report_once_a_year")]


class Rating(models.Model):
    """An application for a grade (等级评估), its score, grade and any objection."""

    class State(models.TextChoices):
        REFUSED = "refused", _("不符合申请条件")
        APPLIED = "applied", _("已受理")
        SCORED = "scored", _("评估公示中")
        OBJECTED = "objected", _("复核中")
        FINAL = "final", _("已确定等级")

    org = models.ForeignKey(SocialOrg, verbose_name=_("社会组织"), on_delete=models.CASCADE, related_name="ratings")
    applied_on = models.DateField(_("申请日期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.APPLIED)
    refusal = models.TextField(_("不予受理理由"), blank=True)
    score = models.PositiveSmallIntegerField(_("评估得分"), null=True, blank=True)
    grade = models.CharField(_("评估等级"), max_length=2, blank=True)
    scored_on = models.DateField(_("评估日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    objection = models.TextField(_("复核申请"), blank=True)
    objection_on = models.DateField(_("复核申请日期"), null=True, blank=True)
    objection_due = models.DateField(_("书面答复期限"), null=True, blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answer = models.TextField(_("复核答复"), blank=True)

    class Meta:
        verbose_name = _("等级评估")
        verbose_name_plural = _("等级评估")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=1000), name="community_rating_score_1000"
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(refusal=""), name="community_rating_refusal_reason"
            ),
        ]
