from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "relief"
    verbose_name = _("社会救助")

    def ready(self):
        from civil_affairs.resources import import_kind_register

        from .resources import BenefitResource, StandardResource

        import_kind_register("relief_standard", StandardResource, _("救助标准"), "relief_configure")
        import_kind_register("relief_benefit", BenefitResource, _("救助待遇花名册"), "relief_configure")
