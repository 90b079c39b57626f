"""Settings of the service experience, with their defaults (README "Service experience").

SERVICE_SUPERVISION_PHONE — the supervision phone printed on public notices and
decision letters (default 12345, the government service hotline);
SERVICE_NOTICE_PLACE — where public notices are posted."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def supervision_phone() -> str:
    return getattr(settings, "SERVICE_SUPERVISION_PHONE", "12345")


def notice_place():
    return getattr(settings, "SERVICE_NOTICE_PLACE", None) or _("社区（村）居务公开栏及本平台")
