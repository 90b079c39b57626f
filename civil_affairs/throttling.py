"""API rate limits per kind of caller, and the lockout answer for API logins.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env API_THROTTLE_*) and are
read on each request, not frozen at import as DRF's own classes do, so an override
of the settings takes effect at once.  Counters live in the default cache."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _RateFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_RateFromSettings, AnonRateThrottle):
    """Callers without a session or token, counted per client address."""


class _RoleThrottle(_RateFromSettings, UserRateThrottle):
    residents: bool

    def get_cache_key(self, request, view):
        user = request.user
        if not user.is_authenticated or user.is_resident != self.residents:
            return None  # another class counts this caller
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class ResidentThrottle(_RoleThrottle):
    scope = "resident"
    residents = True


class StaffThrottle(_RoleThrottle):
    """Caseworkers, reviewers, administrators: batch-minded clients, a higher rate."""

    scope = "staff"
    residents = False


def lockout_response(request, original_response=None, credentials=None):
    """django-axes AXES_LOCKOUT_CALLABLE: JSON for the API, the page otherwise."""
    status = 429
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("密码连续错误次数过多，账号已被暂时锁定。请稍后再试，或联系系统管理员解锁。")}, status=status
        )
    return render(request, "registration/locked_out.html", status=status)
