"""Who may do what: capabilities per role, in one table.

Jurisdiction (which records) lives in selectors.py; this module answers only
whether a role may use a feature at all."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission

from .models import Role

# capability → roles that have it: the core's own; each policy area declares its
# capabilities in its Area registration and capability_table() merges them.
CAPABILITIES: dict[str, frozenset[str]] = {
    # the staff workbench at /work/
    "workbench": frozenset(
        {
            Role.CASEWORKER,
            Role.REVIEWER,
            Role.COMMUNITY_WORKER,
            Role.INSTITUTION_STAFF,
            Role.CHARITY_STAFF,
            Role.BUREAU_ADMIN,
            Role.AUDITOR,
        }
    ),
    # search and read people and households in the jurisdiction
    "registry_view": frozenset(
        {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR}
    ),
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
    # data-exchange feeds (death, and the areas' kinds: vehicle, property, wages…): city-wide data
    "feed_import": frozenset({Role.BUREAU_ADMIN}),
    # the bureau overview (民政一张图): every area's figures by district of the jurisdiction
    "overview_view": frozenset({Role.BUREAU_ADMIN, Role.AUDITOR, Role.REVIEWER}),
    # see batch runs and their progress
    "batch_view": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR}),
    # set and import the dated parameters of every area (standards, rates, time limits)
    "parameter_configure": frozenset({Role.BUREAU_ADMIN}),
}


_merged: tuple[int, dict[str, frozenset[str]]] = (-1, {})


def capability_table() -> dict[str, frozenset[str]]:
    """Every capability known: the core's and each registered area's (areas.py),
    merged once per change of the registry.  A name claimed twice is reported by
    the system check (checks.py); here the core's wins, then the first area's."""
    global _merged
    from . import areas

    if _merged[0] != areas.generation():
        table: dict[str, frozenset[str]] = {}
        for area in reversed(areas.registered()):
            table.update(area.capabilities)
        table.update(CAPABILITIES)
        _merged = (areas.generation(), table)
    return _merged[1]


def roles_with(capability: str) -> frozenset[str]:
    """The roles that have `capability` (KeyError for a name nobody declared)."""
    return capability_table()[capability]


def has_capability(user, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in roles_with(capability)


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
