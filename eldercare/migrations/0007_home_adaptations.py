"""Home adaptations (适老化改造) and family care beds (家庭养老床位): contractors,
the case with its checks (budget ≤ cap, payment ≤ budget, acceptor ≠ orderer),
its needs list and completion photos; residents' requests for an ability
assessment; and the new parameters' defaults at city level for every city
already in the tree (the code falls back to the same values where no row is in force)."""

import datetime as dt
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEFAULTS = {
    "adaptation_cap_poor": Decimal("5000.00"),
    "adaptation_cap_other": Decimal("3000.00"),
    "adaptation_assess_working_days": Decimal("10"),
    "adaptation_order_working_days": Decimal("5"),
    "adaptation_work_days": Decimal("30"),
    "adaptation_accept_working_days": Decimal("5"),
    "adaptation_pay_working_days": Decimal("10"),
}


def add(apps, schema_editor):
    Region = apps.get_model("civil_affairs", "Region")
    Parameter = apps.get_model("civil_affairs", "Parameter")
    for city in Region.objects.filter(level=2):
        for key, value in DEFAULTS.items():
            Parameter.objects.get_or_create(
                region=city, key=key, effective_from=dt.date(2020, 1, 1), defaults={"value": value, "note": "默认值"}
            )


def remove(apps, schema_editor):
    Parameter = apps.get_model("civil_affairs", "Parameter")
    Parameter.objects.filter(key__in=list(DEFAULTS), effective_from=dt.date(2020, 1, 1), note="默认值").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("civil_affairs", "0014_feedrecord"),
        ("eldercare", "0006_meals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Adaptation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("adaptation", "适老化改造"), ("care_bed", "家庭养老床位")],
                        max_length=10,
                        verbose_name="类型",
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("online", "网上申请"), ("counter", "窗口代办")], max_length=8, verbose_name="申请渠道"
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=500, verbose_name="申请事由")),
                (
                    "group",
                    models.CharField(
                        choices=[("poor", "低保、特困老人"), ("other", "其他符合条件老人")],
                        max_length=8,
                        verbose_name="补助类别",
                    ),
                ),
                ("cap", models.DecimalField(decimal_places=2, max_digits=10, verbose_name="补助上限（元）")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("applied", "待评估"),
                            ("assessed", "待派单"),
                            ("ordered", "施工中"),
                            ("completed", "待验收"),
                            ("accepted", "待支付"),
                            ("paid", "已支付"),
                            ("rejected", "不予受理"),
                        ],
                        default="applied",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("applied_at", models.DateTimeField(verbose_name="申请时间")),
                ("assess_due", models.DateField(verbose_name="评估期限")),
                ("assessed_at", models.DateTimeField(blank=True, null=True, verbose_name="评估时间")),
                ("assessment_note", models.CharField(blank=True, max_length=500, verbose_name="评估意见")),
                (
                    "estimate",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=10, null=True, verbose_name="估算金额（元）"
                    ),
                ),
                ("order_due", models.DateField(blank=True, null=True, verbose_name="派单期限")),
                (
                    "budget",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=10, null=True, verbose_name="工单预算（元）"
                    ),
                ),
                ("ordered_at", models.DateTimeField(blank=True, null=True, verbose_name="派单时间")),
                ("work_due", models.DateField(blank=True, null=True, verbose_name="完工期限")),
                ("completed_at", models.DateTimeField(blank=True, null=True, verbose_name="完工时间")),
                (
                    "actual_cost",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=10, null=True, verbose_name="实际费用（元）"
                    ),
                ),
                ("completion_note", models.CharField(blank=True, max_length=500, verbose_name="完工说明")),
                ("accept_due", models.DateField(blank=True, null=True, verbose_name="验收期限")),
                ("accepted_at", models.DateTimeField(blank=True, null=True, verbose_name="验收时间")),
                ("acceptance_note", models.CharField(blank=True, max_length=500, verbose_name="验收意见")),
                ("pay_due", models.DateField(blank=True, null=True, verbose_name="支付期限")),
                (
                    "paid_amount",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=10, null=True, verbose_name="支付金额（元）"
                    ),
                ),
                ("paid_at", models.DateTimeField(blank=True, null=True, verbose_name="支付时间")),
                ("payment_reference", models.CharField(blank=True, max_length=50, verbose_name="支付凭证号")),
                ("rejected_at", models.DateTimeField(blank=True, null=True, verbose_name="不予受理时间")),
                ("rejection_reason", models.CharField(blank=True, max_length=500, verbose_name="不予受理原因")),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="验收人",
                    ),
                ),
                (
                    "applicant",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请/代办人",
                    ),
                ),
                (
                    "assessed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="评估人",
                    ),
                ),
                (
                    "completed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="完工登记人",
                    ),
                ),
                (
                    "household",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="civil_affairs.household",
                        verbose_name="家庭",
                    ),
                ),
                (
                    "ordered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="派单人",
                    ),
                ),
                (
                    "paid_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="支付登记人",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="civil_affairs.person",
                        verbose_name="老人",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="civil_affairs.region",
                        verbose_name="所在社区/村",
                    ),
                ),
            ],
            options={
                "verbose_name": "适老化改造/家庭养老床位",
                "verbose_name_plural": "适老化改造/家庭养老床位",
                "ordering": ["-applied_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="AdaptationPhoto",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(upload_to="eldercare/adaptations/%Y/%m/", verbose_name="照片")),
                ("original_name", models.CharField(max_length=200, verbose_name="原文件名")),
                ("content_type", models.CharField(max_length=60, verbose_name="文件类型")),
                ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="上传时间")),
                (
                    "adaptation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="eldercare.adaptation",
                        verbose_name="申请",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="上传人",
                    ),
                ),
            ],
            options={
                "verbose_name": "完工照片",
                "verbose_name_plural": "完工照片",
                "ordering": ["adaptation", "id"],
            },
        ),
        migrations.CreateModel(
            name="Contractor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="名称")),
                ("credit_code", models.CharField(max_length=18, unique=True, verbose_name="统一社会信用代码")),
                ("phone", models.CharField(blank=True, max_length=20, verbose_name="联系电话")),
                ("bank_account", models.CharField(blank=True, max_length=32, verbose_name="结算银行账号")),
                ("active", models.BooleanField(default=True, verbose_name="在约")),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="civil_affairs.region",
                        verbose_name="所在区划",
                    ),
                ),
            ],
            options={
                "verbose_name": "适老化改造施工单位",
                "verbose_name_plural": "适老化改造施工单位",
                "ordering": ["region", "name"],
            },
        ),
        migrations.AddField(
            model_name="adaptation",
            name="contractor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="eldercare.contractor",
                verbose_name="施工单位",
            ),
        ),
        migrations.CreateModel(
            name="AdaptationNeed",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("item", models.CharField(max_length=100, verbose_name="改造/配置项目")),
                ("quantity", models.PositiveSmallIntegerField(default=1, verbose_name="数量")),
                ("unit_cost", models.DecimalField(decimal_places=2, max_digits=10, verbose_name="估算单价（元）")),
                ("cost", models.DecimalField(decimal_places=2, max_digits=10, verbose_name="估算金额（元）")),
                (
                    "adaptation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="needs",
                        to="eldercare.adaptation",
                        verbose_name="申请",
                    ),
                ),
            ],
            options={
                "verbose_name": "改造需求清单",
                "verbose_name_plural": "改造需求清单",
                "ordering": ["adaptation", "id"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("quantity__gte", 1)), name="eldercare_need_quantity"),
                    models.CheckConstraint(
                        condition=models.Q(("unit_cost__gt", 0), ("cost__gt", 0)), name="eldercare_need_cost"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AssessmentRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("requested_at", models.DateTimeField(verbose_name="申请时间")),
                ("due", models.DateField(verbose_name="评估期限")),
                (
                    "state",
                    models.CharField(
                        choices=[("requested", "待评估"), ("done", "已评估")],
                        default="requested",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="eldercare.assessment",
                        verbose_name="评估结果",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="civil_affairs.person",
                        verbose_name="老人",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="civil_affairs.region",
                        verbose_name="所在社区/村",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请人",
                    ),
                ),
            ],
            options={
                "verbose_name": "能力评估申请",
                "verbose_name_plural": "能力评估申请",
                "ordering": ["-requested_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "requested")),
                        fields=("person",),
                        name="eldercare_assessment_request_open",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("state", "requested"), ("assessment__isnull", False), _connector="OR"),
                        name="eldercare_assessment_request_done",
                    ),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="adaptation",
            index=models.Index(fields=["region", "state", "id"], name="elder_adaptation_region_state"),
        ),
        migrations.AddConstraint(
            model_name="adaptation",
            constraint=models.CheckConstraint(
                condition=models.Q(("cap__gt", 0)), name="eldercare_adaptation_cap_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="adaptation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("budget__isnull", True),
                    models.Q(("budget__gt", 0), ("budget__lte", models.F("cap"))),
                    _connector="OR",
                ),
                name="eldercare_adaptation_budget_within_cap",
            ),
        ),
        migrations.AddConstraint(
            model_name="adaptation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("paid_amount__isnull", True),
                    models.Q(("paid_amount__gt", 0), ("paid_amount__lte", models.F("budget"))),
                    _connector="OR",
                ),
                name="eldercare_adaptation_paid_within_budget",
            ),
        ),
        migrations.AddConstraint(
            model_name="adaptation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("accepted_by__isnull", True),
                    models.Q(("accepted_by", models.F("ordered_by")), _negated=True),
                    _connector="OR",
                ),
                name="eldercare_adaptation_two_people",
            ),
        ),
        migrations.AddConstraint(
            model_name="adaptation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state__in", ["ordered", "completed", "accepted", "paid"]), _negated=True),
                    models.Q(("contractor__isnull", False), ("budget__isnull", False), ("ordered_at__isnull", False)),
                    _connector="OR",
                ),
                name="eldercare_adaptation_ordered_facts",
            ),
        ),
        migrations.AddConstraint(
            model_name="adaptation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state__in", ["accepted", "paid"]), _negated=True),
                    ("accepted_by__isnull", False),
                    _connector="OR",
                ),
                name="eldercare_adaptation_accepted_facts",
            ),
        ),
        migrations.AddConstraint(
            model_name="adaptation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "paid"), _negated=True),
                    models.Q(("paid_amount__isnull", False), ("paid_at__isnull", False)),
                    _connector="OR",
                ),
                name="eldercare_adaptation_paid_facts",
            ),
        ),
        migrations.AddConstraint(
            model_name="adaptation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["paid", "rejected"]), _negated=True),
                fields=("person", "kind"),
                name="eldercare_adaptation_one_open",
            ),
        ),
        migrations.RunPython(add, remove),
    ]
