from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldercareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "eldercare"
    verbose_name = _("养老服务")

    def ready(self):
        # registers the area with the core (civil_affairs/areas.py)
        pass
