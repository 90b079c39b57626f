from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReliefConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "relief"
    verbose_name = _("社会救助")

    def ready(self):
        from civil_affairs.areas import Area, register

        # Relief is the first tenant of the area registry (civil_affairs/areas.py).
        register(Area(key="relief", label=_("社会救助"), order=10))

        from civil_affairs.batches import COUNT_LABELS, KIND_LABELS
        from civil_affairs.resources import import_kind_register

        from .resources import BenefitResource, StandardResource

        import_kind_register("relief_standard", StandardResource, _("救助标准"), "relief_configure")
        import_kind_register("relief_benefit", BenefitResource, _("救助待遇花名册"), "relief_configure")
        KIND_LABELS.update({
            "relief_payroll": _("社会救助发放花名册"),
            "relief_feed_import": _("比对数据导入"),
            "relief_recheck": _("资格复核（数据比对）"),
            "relief_price_linkage": _("物价补贴联动发放"),
        })
        from .services import recheck

        COUNT_LABELS.update(recheck.COUNT_LABELS)
        COUNT_LABELS.update({"added": pgettext_lazy("count", "新增"), "duplicates": _("已存在"), "bad": _("错误行"), "blank": _("空行")})
