from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilAffairsConfig(AppConfig):
    name = "civil_affairs"
    verbose_name = _("民政基础数据")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the area registry's system checks)
