from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "relief"
    verbose_name = _("社会救助")
