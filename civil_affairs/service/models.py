"""Tables of the service experience: messages, document numbers and ratings.
Cases are named by (target_type, target_id) like audit events, so any area's
record can have them without a foreign key from the core to an area."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One message of the in-site message centre (站内消息)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_default=models.functions.Now())
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the header's unread count and the list page, per recipient
            models.Index(fields=["recipient", "-created_at"], name="service_msg_recipient"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="service_msg_unread"),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentNumber(models.Model):
    """A document's number (文号), e.g. 通民救〔2026〕第123号: a sequence per
    series (e.g. an area's decisions of one district) and year, given once to
    one document of one case and kept."""

    series = models.CharField(_("文号系列"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"))
    prefix = models.CharField(_("机关代字"), max_length=20)
    kind = models.CharField(_("文书"), max_length=40)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象标识"), max_length=40)
    created_at = models.DateTimeField(_("编号时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文书编号")
        verbose_name_plural = _("文书编号")
        ordering = ["series", "-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "sequence"], name="service_docnum_unique_in_series"),
            models.UniqueConstraint(fields=["kind", "target_type", "target_id"], name="service_docnum_once_per_doc"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return f"{self.prefix}〔{self.year}〕第{self.sequence}号"


class Rating(models.Model):
    """好差评: a resident's rating of a case that has ended, once per case."""

    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象标识"), max_length=40)
    area = models.CharField(_("业务"), max_length=30)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )
    street_code = models.CharField(_("街道/乡镇"), max_length=12, db_index=True)  # where the case was handled
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评价内容"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["target_type", "target_id"], name="service_rating_once_per_case"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="service_rating_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.target_type}#{self.target_id}: {self.score}"
