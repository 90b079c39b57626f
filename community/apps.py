from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "community"
    verbose_name = _("基层治理")

    def ready(self):
        from civil_affairs.areas import register

        from .area import community_area

        # registers the area with the core (civil_affairs/areas.py)
        register(community_area())
