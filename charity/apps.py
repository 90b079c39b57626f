from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "charity"
    verbose_name = _("慈善事业")

    def ready(self):
        # registers the area with the core (civil_affairs/areas.py)
        from .area import register_area

        register_area()
