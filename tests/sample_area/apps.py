from django.apps import AppConfig


class SampleAreaConfig(AppConfig):
    """A policy area that exists only in the tests: one capability, one menu
    entry, one workbench page, one residents' service, one batch kind."""

    name = "tests.sample_area"
    label = "sample_area"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from civil_affairs.areas import (
            Area,
            BatchKind,
            CoveredGroup,
            FeedKind,
            Indicator,
            NavItem,
            PortalService,
            register,
        )
        from civil_affairs.models import Role

        register(
            Area(
                key="sample",
                label="示例领域",
                order=900,
                workbench_urls="tests.sample_area.urls",
                portal_urls="tests.sample_area.urls:portal_urlpatterns",
                capabilities={"sample_view": frozenset({Role.INSTITUTION_STAFF, Role.BUREAU_ADMIN})},
                nav=(NavItem("示例台账", "sample:index", "sample_view"),),
                services=(PortalService("sample", "申请示例服务", "sample_portal:apply", description="仅用于测试。"),),
                batch_kinds=(
                    BatchKind(
                        "sample_count",
                        "示例批处理",
                        "tests.sample_area.tasks.count_task",
                        "sample_view",
                        count_labels={"counted": "已计数"},
                    ),
                ),
                # person 360, household page, life events and the overview (tests/sample_area/hooks.py)
                person_rows="tests.sample_area.hooks.person_rows",
                household_rows="tests.sample_area.hooks.household_rows",
                life_events={"death": "tests.sample_area.hooks.on_death"},
                # set-based: a feed's deaths, moves out of the city and custody changes, one call per batch
                life_events_many={
                    "death": "tests.sample_area.hooks.on_events",
                    "moved_out": "tests.sample_area.hooks.on_events",
                    "custody": "tests.sample_area.hooks.on_events",
                },
                # a data-exchange feed of its own, imported by the core; each new row raises a move out of the city
                feed_kinds=(
                    FeedKind(
                        "sample_move",
                        "示例迁出",
                        ("id_number", "name", "moved_on"),
                        "tests.sample_area.hooks.parse_move",
                        life_event="moved_out",
                        sample="tests/sample_area/sample_move.csv",
                    ),
                ),
                indicators=(
                    Indicator("sample_people", "示例人数", "人", "tests.sample_area.hooks.people_by_district"),
                ),
                # a group the price-linkage subsidy covers, ranked between tekun (20) and unemployment (40)
                covered_groups=(
                    CoveredGroup(
                        "sample_grave", "一级残疾人（示例）", 30, "tests.sample_area.hooks.GRAVELY_DISABLED_SQL"
                    ),
                ),
            )
        )
