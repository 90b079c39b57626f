from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldercareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "eldercare"
    verbose_name = _("养老服务")

    def ready(self):
        # registers the area with the core (civil_affairs/areas.py)
        from civil_affairs.areas import Area, BatchKind, FeedKind, ImportKind, NavItem, register
        from civil_affairs.models import Role

        from .parameters import PARAMETER_KEYS
        from .selectors.indicators import eldercare_indicators
        from .services.allowance import COUNT_LABELS as ALLOWANCE_COUNTS
        from .services.meals import SETTLE_COUNT_LABELS as MEAL_SETTLEMENT_COUNTS
        from .services.settlement import COUNT_LABELS as SETTLEMENT_COUNTS
        from .services.vulnerable import COUNT_LABELS as VULNERABLE_COUNTS

        staff = {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR}
        capabilities = {
            # open the area's workbench (institution and provider staff: their own organisation's pages)
            "eldercare_view": frozenset(staff | {Role.INSTITUTION_STAFF}),
            # senior allowance: see the rolls; run a month (also on Celery beat); approve a district's roll
            "allowance_view": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR}),
            "allowance_run": frozenset({Role.BUREAU_ADMIN}),
            "allowance_approve": frozenset({Role.REVIEWER, Role.BUREAU_ADMIN}),
            # home care: see orders and visits (provider staff: their provider's only); assess, order and
            # review visits; check visits in and out (provider staff bound by ProviderMember)
            "homecare_view": frozenset(
                {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, Role.INSTITUTION_STAFF}
            ),
            "homecare_manage": frozenset({Role.CASEWORKER, Role.BUREAU_ADMIN}),
            # monthly settlements per provider (home care) and per meal point: see, run, approve
            "settlement_view": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR}),
            "settlement_run": frozenset({Role.BUREAU_ADMIN}),
            "settlement_approve": frozenset({Role.REVIEWER, Role.BUREAU_ADMIN}),
            # institutions: see (institution staff: their own only); admit and discharge
            "institution_view": frozenset(
                {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, Role.INSTITUTION_STAFF}
            ),
            "institution_manage": frozenset({Role.INSTITUTION_STAFF, Role.BUREAU_ADMIN}),
            # meals: see; record at one's own meal point (MealPointMember); record for any point of the jurisdiction
            "meal_view": frozenset(
                {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, Role.INSTITUTION_STAFF}
            ),
            "meal_record": frozenset({Role.INSTITUTION_STAFF}),
            "meal_manage": frozenset({Role.CASEWORKER, Role.BUREAU_ADMIN}),
            # import the registers (institutions, beds, providers, price lists)
            "eldercare_configure": frozenset({Role.BUREAU_ADMIN}),
            # home adaptations and family care beds: see (jurisdiction); take applications, assess, order,
            # record completion; accept (never the person who ordered: a database check) and pay
            "adaptation_view": frozenset(staff),
            "adaptation_manage": frozenset({Role.CASEWORKER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN}),
            "adaptation_accept": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN}),
            # the eldercare dashboard of a region subtree
            "eldercare_dashboard": frozenset(staff),
            # visits to the vulnerable elderly: the list and queue (names shown to the community's worker and to
            # street/district/bureau staff, ID numbers masked); record visits (the community worker of the
            # elder's community, the street caseworker); build the list by hand (also nightly on Celery beat)
            "visit_list_view": frozenset(
                {Role.COMMUNITY_WORKER, Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR}
            ),
            "visit_record": frozenset({Role.COMMUNITY_WORKER, Role.CASEWORKER}),
            "visit_list_build": frozenset({Role.BUREAU_ADMIN}),
        }
        register(
            Area(
                key="eldercare",
                label=_("养老服务"),
                order=20,
                workbench_urls="eldercare.urls",
                portal_urls="eldercare.urls:portal_urlpatterns",
                api_router="eldercare.api.router",
                capabilities=capabilities,
                nav=(NavItem(_("养老服务"), "eldercare:index", "eldercare_view"),),
                my_applications_url_name="eldercare_portal:home",
                batch_kinds=(
                    BatchKind(
                        "eldercare_senior_allowance",
                        _("尊老金发放"),
                        "eldercare.tasks.senior_allowance_task",
                        "allowance_run",
                        count_labels=ALLOWANCE_COUNTS,
                    ),
                    BatchKind(
                        "eldercare_homecare_settlement",
                        _("居家养老服务结算"),
                        "eldercare.tasks.homecare_settlement_task",
                        "settlement_run",
                        count_labels=SETTLEMENT_COUNTS,
                    ),
                    BatchKind(
                        "eldercare_vulnerable_list",
                        _("探访关爱名单"),
                        "eldercare.tasks.vulnerable_list_task",
                        "visit_list_build",
                        count_labels=VULNERABLE_COUNTS,
                    ),
                    BatchKind(
                        "eldercare_meal_settlement",
                        _("助餐补贴结算"),
                        "eldercare.tasks.meal_settlement_task",
                        "settlement_run",
                        count_labels=MEAL_SETTLEMENT_COUNTS,
                    ),
                ),
                import_kinds=(
                    ImportKind(
                        "eldercare_institution",
                        "eldercare.resources.InstitutionResource",
                        _("养老机构"),
                        "eldercare_configure",
                    ),
                    ImportKind(
                        "eldercare_bed", "eldercare.resources.BedResource", _("养老机构床位"), "eldercare_configure"
                    ),
                    ImportKind(
                        "eldercare_provider",
                        "eldercare.resources.ProviderResource",
                        _("居家养老服务组织"),
                        "eldercare_configure",
                    ),
                    ImportKind(
                        "eldercare_price",
                        "eldercare.resources.ServiceItemResource",
                        _("服务项目价格"),
                        "eldercare_configure",
                    ),
                ),
                # 计划生育特别扶助 (docs/feeds/family_planning_support.md): read by the nightly visit list
                feed_kinds=(
                    FeedKind(
                        "fp_support",
                        _("计划生育特别扶助"),
                        ("id_number", "name", "support_type", "start_date", "end_date"),
                        "eldercare.feeds.parse_family_planning_support",
                        sample="docs/feeds/family_planning_support.csv",
                        optional=frozenset({"name", "end_date"}),
                    ),
                ),
                demo_seeder="eldercare.demo.seed_area",
                life_events={"death": "eldercare.services.allowance.on_death"},
                life_events_many={"death": "eldercare.services.allowance.on_deaths"},
                parameters=PARAMETER_KEYS,
                indicators=eldercare_indicators(),
                person_rows="eldercare.selectors.person360.person_rows",
                household_rows="eldercare.selectors.person360.household_rows",
                audit_links={
                    "eldercare.seniorallowanceroll": "eldercare:allowance_roll",
                    "eldercare.visit": "eldercare:visit",
                    "eldercare.settlement": "eldercare:settlement",
                    "eldercare.mealsettlement": "eldercare:meal_settlement",
                    "eldercare.institution": "eldercare:institution",
                    "eldercare.adaptation": "eldercare:adaptation",
                    "eldercare.vulnerableelder": "eldercare:vulnerable_entry",
                },
                audit_labels={
                    "senior_allowance": _("尊老金发放"),
                    "senior_allowance_start": _("启动尊老金发放"),
                    "vulnerable_listed": _("列入探访关爱名单"),
                    "vulnerable_changed": _("探访关爱列入原因变更"),
                    "vulnerable_ended": _("移出探访关爱名单"),
                    "vulnerable_build_start": _("生成探访关爱名单"),
                    "vulnerable_visit": _("探访"),
                    "vulnerable_refer": _("探访转介临时救助"),
                    "end_reason": _("移出原因"),
                    "seen": _("见到本人"),
                    "on_time": _("按时探访"),
                    "next_due": _("下次探访截止"),
                    "allowance_stopped": _("尊老金停发（死亡）"),
                    "removed_months": _("撤销的发放月份"),
                    "overpaid_months": _("已发放待追回月份"),
                    "overpaid_total": _("待追回金额（元）"),
                },
            )
        )
