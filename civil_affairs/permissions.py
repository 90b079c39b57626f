"""Who may do what: capabilities per role, in one table.

Jurisdiction (which records) lives in selectors.py; this module answers only
whether a role may use a feature at all."""
from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission

from .models import Role

# capability → roles that have it
CAPABILITIES: dict[str, frozenset[str]] = {
    # the staff workbench at /work/
    "workbench": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.INSTITUTION_STAFF,
                            Role.CHARITY_STAFF, Role.BUREAU_ADMIN, Role.AUDITOR}),
    # search and read people and households in the jurisdiction
    "registry_view": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN,
                                Role.AUDITOR}),
    # full ID numbers on a person's or household's detail page
    "full_id_number": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN}),
    # change registry records, upload evidence
    "registry_edit": frozenset({Role.CASEWORKER, Role.BUREAU_ADMIN}),
    # verify a resident's account after seeing their ID card at the window
    "resident_verify": frozenset({Role.CASEWORKER, Role.BUREAU_ADMIN}),
    # bulk import of registry files with a progress bar
    "registry_import": frozenset({Role.CASEWORKER, Role.BUREAU_ADMIN}),
    # read the audit log of the jurisdiction
    "audit_view": frozenset({Role.AUDITOR, Role.BUREAU_ADMIN}),
    # see batch runs and their progress
    "batch_view": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR}),
    # relief: read applications, benefits and standards of the jurisdiction
    "relief_view": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN,
                              Role.AUDITOR}),
    # relief: take applications in, investigate, propose, publish notices, start rechecks
    "relief_handle": frozenset({Role.CASEWORKER}),
    # relief: confirm or reject (never one's own investigation); stop or suspend benefits
    "relief_decide": frozenset({Role.REVIEWER, Role.BUREAU_ADMIN}),
    # relief payroll: see rolls and totals; generate a month; approve a district's roll
    "payroll_view": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR}),
    "payroll_run": frozenset({Role.BUREAU_ADMIN}),
    # relief: import standards and benefit rosters
    "relief_configure": frozenset({Role.BUREAU_ADMIN}),
    "payroll_approve": frozenset({Role.REVIEWER, Role.BUREAU_ADMIN}),
    # data-exchange feeds (death, vehicle, property, wages, business, hukou, price index…): city-wide data
    "feed_import": frozenset({Role.BUREAU_ADMIN}),
    # start the eligibility recheck or the price-linkage batch by hand (both also run on Celery beat)
    "recheck_run": frozenset({Role.BUREAU_ADMIN}),
    "price_linkage_run": frozenset({Role.BUREAU_ADMIN}),
}


def has_capability(user, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in CAPABILITIES[capability]


def require(capability: str):
    """View decorator: log in first, then 403 unless the role has the capability."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.capability = capability
        return wrapped

    return decorator


def resident_required(view=None, *, allow_unverified: bool = False):
    """View decorator for the residents' portal: log in first; staff get 403.

    A resident whose account is not verified yet (by a code to the phone the
    registry holds, or by a caseworker in person) may not be the person it is
    bound to, so it is sent to the "待核验" page and sees no household or case
    data.  Only a page with nothing of the registry's opts out (allow_unverified)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not request.user.is_resident:
                raise PermissionDenied
            if not allow_unverified and not request.user.is_verified_resident:
                return redirect("portal:pending")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


class HasCapability(BasePermission):
    capability = "registry_view"

    def has_permission(self, request, view):
        return has_capability(request.user, getattr(view, "capability", self.capability))


class IsRegistryStaff(HasCapability):
    """Default API permission: staff who may read the registry."""
