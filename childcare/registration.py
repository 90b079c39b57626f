"""Childcare's registration with the core's area registry (civil_affairs/areas.py):
called once from ChildcareConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import Area, BatchKind, CoveredGroup, FeedKind, ImportKind, NavItem, PortalService
from civil_affairs.models import Role

from .parameters import PARAMETER_KEYS
from .stats import indicators

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
        workbench_urls="childcare.urls",
        portal_urls="childcare.urls:portal_urlpatterns",
        api_router="childcare.api.router",
        capabilities=CAPABILITIES,
        nav=(NavItem(_("儿童福利"), "childcare:index", "childcare_view"),),
        services=(
            PortalService(
                "childcare",
                _("申请孤儿、事实无人抚养儿童基本生活费"),
                "childcare_portal:apply",
                description=_("监护人为同一家庭的孤儿或事实无人抚养儿童申请基本生活费。"),
            ),
        ),
        my_applications_url_name="childcare_portal:index",
        batch_kinds=(
            BatchKind(
                "childcare_allowance",
                _("儿童基本生活费花名册"),
                "childcare.tasks.allowance_task",
                "childcare_payroll_run",
            ),
        ),
        life_events={"death": "childcare.discovery.on_death"},
        # set-based: a feed chunk's deaths and custody rows at once (civil_affairs.life_events)
        life_events_many={
            "death": "childcare.discovery.on_death_many",
            "custody": "childcare.discovery.on_custody_many",
        },
        feed_kinds=(
            FeedKind(
                "custody",
                _("羁押/服刑信息"),
                ("id_number", "name", "institution", "start_date", "expected_end"),
                "childcare.feeds.parse_custody",
                life_event="custody",
                sample="docs/feeds/custody.csv",
                optional=frozenset({"name", "expected_end"}),
            ),
        ),
        # orphans and de-facto unsupported children join the price-linkage subsidy, ranked after tekun (20)
        covered_groups=(CoveredGroup("orphan", _("孤儿和事实无人抚养儿童"), 30, "childcare.payroll.COVERED_SQL"),),
        parameters=PARAMETER_KEYS,
        person_rows="childcare.person360.person_rows",
        household_rows="childcare.person360.household_rows",
        indicators=indicators(),
        demo_seeder="childcare.demo.seed_area",
        import_kinds=(
            ImportKind(
                "childcare_child", "childcare.resources.ChildResource", _("困境和留守儿童台账"), "childcare_configure"
            ),
            ImportKind(
                "childcare_director", "childcare.resources.DirectorResource", _("儿童主任名册"), "childcare_configure"
            ),
        ),
        guides="childcare.experience.childcare_guides",
        audit_links={
            "childcare.case": "childcare:case_detail",
            "childcare.allowance": "childcare:allowance_detail",
            "childcare.child": "childcare:child_detail",
            "childcare.allowanceroll": "childcare:roll_detail",
        },
        audit_labels={
            "check": _("街道审核"),
            "decide": _("区县审批"),
            "grant": _("开始发放"),
            "stop": _("停发"),
            "review": _("年度复核"),
            "register": _("登记"),
            "risk": _("调整风险等级"),
            "child_visit": _("走访"),
            "refer": _("转介"),
            "refer_close": _("转介办结"),
            "discover": _("主动发现"),
            "discovery_resolve": _("核实主动发现任务"),
            "assign": _("任命"),
        },
    )
