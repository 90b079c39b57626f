from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildcareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "childcare"
    verbose_name = _("儿童福利")

    def ready(self):
        from civil_affairs.areas import register

        from .registration import area

        register(area())
