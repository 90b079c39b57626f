"""Childcare's registration with the core's area registry (civil_affairs/areas.py):
called once from ChildcareConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import Area, BatchKind, CoveredGroup
from civil_affairs.models import Role

from .parameters import PARAMETER_KEYS

CW, RV, DIR, ADMIN, AUD = Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR

CAPABILITIES = {
    # the childcare workbench; which child records a user may open is narrowed further (selectors.child_access)
    "childcare_view": frozenset({CW, RV, DIR, ADMIN, AUD}),
    # take an application in at the street and check it (street caseworkers with childcare scope)
    "childcare_check": frozenset({CW}),
    # the district's decision (never the checker's own case); stop an allowance
    "childcare_decide": frozenset({RV, ADMIN}),
    # the registry of children in distress and left behind: register, visit, refer
    "childcare_registry": frozenset({DIR, CW, ADMIN}),
    # the allowance payroll
    "childcare_payroll_view": frozenset({CW, RV, ADMIN, AUD}),
    "childcare_payroll_run": frozenset({ADMIN}),
    "childcare_payroll_approve": frozenset({RV, ADMIN}),
    # rosters of directors and supervisors, stations, staff scope, imports
    "childcare_configure": frozenset({ADMIN}),
    # dashboard and coverage
    "childcare_dashboard": frozenset({CW, RV, ADMIN, AUD}),
}


def area() -> Area:
    return Area(
        key="childcare",
        label=_("儿童福利"),
        order=30,
        capabilities=CAPABILITIES,
        batch_kinds=(
            BatchKind(
                "childcare_allowance",
                _("儿童基本生活费花名册"),
                "childcare.tasks.allowance_task",
                "childcare_payroll_run",
            ),
        ),
        life_events={"death": "childcare.discovery.on_death"},
        # orphans and de-facto unsupported children join the price-linkage subsidy, ranked after tekun (20)
        covered_groups=(CoveredGroup("orphan", _("孤儿和事实无人抚养儿童"), 30, "childcare.payroll.COVERED_SQL"),),
        parameters=PARAMETER_KEYS,
    )
