from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildcareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "childcare"
    verbose_name = _("儿童福利")

    def ready(self):
        # registers the area with the core (civil_affairs/areas.py)
        pass
