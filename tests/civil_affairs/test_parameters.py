"""Dated parameters in the core (issue 11 item 3): each area registers its
keys (label, unit, bounds); the value in force walks up the region tree (one
query); a key nobody registered is refused in Chinese by the service, the
admin and the import; relief's standards came over with their data."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from civil_affairs import areas, checks, services
from civil_affairs.areas import Area, ParameterKey
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, CalendarDay, Parameter, Role
from civil_affairs.parameters import parameter_set, parameters_by_region, parameters_in_force

KEYS = (
    ParameterKey("ptest_allowance", "测试津贴", "元/月"),
    ParameterKey("ptest_rate", "测试比例", kind="rate"),
    ParameterKey("ptest_months", "测试周期", "月", kind="int", min=Decimal(1)),
    ParameterKey("ptest_rise", "测试涨幅", "%", kind="percent", max=Decimal(100)),
)


@pytest.fixture
def ptest_area():
    """A throw-away area that registers four keys, one of each kind."""
    area = areas.register(Area(key="ptest", label="参数测试", parameters=KEYS))
    yield area
    areas.unregister("ptest")


def _set(region, key, value, day, **kwargs):
    return parameter_set(actor=None, region=region, key=key, value=Decimal(value), effective_from=day, **kwargs)


def test_nearest_region_wins_then_the_newest_date_in_one_query(ptest_area, regions, django_assert_num_queries):
    _set(regions["city"], "ptest_allowance", "100", dt.date(2026, 1, 1))
    _set(regions["city"], "ptest_allowance", "110", dt.date(2026, 7, 1))
    _set(regions["tongzhou"], "ptest_allowance", "120", dt.date(2026, 3, 1))
    _set(regions["jinsha_1"], "ptest_allowance", "130", dt.date(2027, 1, 1))  # not yet in force
    _set(regions["city"], "ptest_months", "6", dt.date(2026, 1, 1))
    community = regions["jinsha_1"].code
    with django_assert_num_queries(1):
        values = parameters_in_force(community, dt.date(2026, 8, 1))
    # 通州区's row is nearer than the city's newer one; the city's months apply everywhere
    assert values == {"ptest_allowance": Decimal("120"), "ptest_months": Decimal("6")}
    assert parameters_in_force(community, dt.date(2026, 2, 1))["ptest_allowance"] == Decimal("100")
    assert parameters_in_force(community, dt.date(2027, 1, 1))["ptest_allowance"] == Decimal("130")
    assert parameters_in_force(regions["wenfeng_1"].code, dt.date(2026, 8, 1))["ptest_allowance"] == Decimal("110")
    assert parameters_in_force(community, dt.date(2026, 8, 1), keys=["ptest_months"]) == {"ptest_months": Decimal("6")}
    # the batches' set-based lookup agrees for every region
    by_region = parameters_by_region(dt.date(2026, 8, 1), keys=[k.key for k in KEYS])
    for code, found in by_region.items():
        assert found == parameters_in_force(code, dt.date(2026, 8, 1), keys=[k.key for k in KEYS]), code
    assert by_region["320000000000"] == {}  # the province has no rows of its own


def test_a_key_nobody_registered_is_refused_in_chinese(regions):
    with pytest.raises(DomainError, match="未登记的参数项目“ptest_allowance”"):
        _set(regions["city"], "ptest_allowance", "100", dt.date(2026, 1, 1))
    assert not Parameter.objects.exists()


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("ptest_allowance", "100.005", "测试津贴应精确到分（两位小数）。"),
        ("ptest_rate", "1.2", "测试比例应在 — 至 1 之间，收到 1.2。"),
        ("ptest_months", "2.5", "测试周期应为整数。"),
        ("ptest_months", "0", "测试周期应在 1 至 — 之间，收到 0。"),
        ("ptest_rise", "120", "测试涨幅应在 — 至 100 之间，收到 1.2E+2。"),
        ("ptest_allowance", "-1", "数值不能为负数。"),
    ],
)
def test_each_kind_checks_its_values(ptest_area, regions, key, value, message):
    with pytest.raises(DomainError) as refused:
        _set(regions["city"], key, value, dt.date(2026, 1, 1))
    assert str(refused.value) == message
    assert not Parameter.objects.exists()


def test_a_value_set_again_on_the_same_day_corrects_it_and_both_are_audited(ptest_area, regions, users):
    admin = users[Role.BUREAU_ADMIN]
    first = _set(regions["city"], "ptest_rate", "0.2", dt.date(2026, 1, 1))
    second = parameter_set(
        actor=admin,
        region=regions["city"],
        key="ptest_rate",
        value=Decimal("0.25"),
        effective_from=dt.date(2026, 1, 1),
        note="更正",
    )
    assert first.pk == second.pk and Parameter.objects.get().value == Decimal("0.25")
    actions = list(
        AuditEvent.objects.filter(target_type="civil_affairs.parameter", target_id=str(first.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE]


def test_two_areas_claiming_one_key_fail_the_system_check(ptest_area):
    twin = Area(key="ptest_twin", label="重名", parameters=(ParameterKey("ptest_rate", "又一个"),))
    assert [e.msg for e in checks.area_conflicts([ptest_area, twin])] == [
        "parameter key 'ptest_rate' is claimed 2 times"
    ]


# ---------------------------------------------------------------- admin and import


def test_admin_shows_labels_and_units_and_refuses_unknown_keys_and_bad_values(ptest_area, regions, users, login):
    client = login(users[Role.BUREAU_ADMIN])
    _set(regions["city"], "ptest_allowance", "100", dt.date(2026, 1, 1))
    page = client.get("/admin/civil_affairs/parameter/").content.decode()
    assert "测试津贴" in page and "元/月" in page and "/work/import/?kind=parameter" in page
    form = client.get("/admin/civil_affairs/parameter/add/").content.decode()
    assert "测试周期（月）" in form  # each key offered with its label and unit
    unknown = client.post(
        "/admin/civil_affairs/parameter/add/",
        {"region": "320600000000", "key": "no_such_key", "value": "1", "effective_from": "2026-01-01"},
    )
    assert unknown.status_code == 200 and "no_such_key" in unknown.content.decode()
    bad = client.post(
        "/admin/civil_affairs/parameter/add/",
        {"region": "320600000000", "key": "ptest_months", "value": "2.5", "effective_from": "2026-01-01"},
    )
    assert bad.status_code == 200 and "测试周期应为整数。" in bad.content.decode()
    good = client.post(
        "/admin/civil_affairs/parameter/add/",
        {
            "region": "320612000000",
            "key": "ptest_months",
            "value": "3",
            "effective_from": "2026-01-01",
            "note": "区政府文件",
        },
    )
    assert good.status_code == 302
    row = Parameter.objects.get(key="ptest_months")
    assert AuditEvent.objects.filter(
        target_type="civil_affairs.parameter", target_id=str(row.pk), changes__admin=True
    ).exists()


def _import(user, content: str):
    run = services.registry_import_start(
        user=user, kind="parameter", uploaded=SimpleUploadedFile("p.csv", content.encode("utf-8-sig"))
    )
    return services.registry_import_run(run_id=run.pk)


def test_import_takes_registered_keys_by_code_label_or_label_with_unit(ptest_area, regions, users):
    run = _import(
        users[Role.BUREAU_ADMIN],
        "\n".join(
            [
                "区划代码,项目,数值,生效日期,依据/说明",
                "320600000000,ptest_allowance,100,2026-01-01,代码",  # row 2
                "320600000000,测试比例,0.3,2026-01-01,名称",  # row 3
                "320600000000,测试周期（月）,6,2026-01-01,名称和单位",  # row 4
                "320600000000,no_such_key,1,2026-01-01,",  # row 5: nobody registered it
                "320600000000,ptest_months,1.5,2026-01-01,",  # row 6: not a whole number
                "320600000000,ptest_rate,3,2026-02-01,",  # row 7: a rate is a fraction
            ]
        )
        + "\n",
    )
    errors = {e["row"]: e["reason"] for e in run.errors}
    assert errors == {
        5: "未登记的参数项目“no_such_key”：各业务领域只能设置自己登记的参数。",
        6: "数值：测试周期应为整数。",
        7: "数值：测试比例应在 — 至 1 之间，收到 3。",
    }, errors
    assert dict(Parameter.objects.values_list("key", "value")) == {
        "ptest_allowance": Decimal("100"),
        "ptest_rate": Decimal("0.3"),
        "ptest_months": Decimal("6"),
    }
    assert AuditEvent.objects.filter(target_type="civil_affairs.parameter").count() == 3


def test_only_those_who_configure_parameters_import_them(ptest_area, users):
    for role in (Role.CASEWORKER, Role.REVIEWER, Role.AUDITOR):
        with pytest.raises(DomainError):
            _import(users[role], "区划代码,项目,数值,生效日期\n320600000000,ptest_rate,0.3,2026-01-01\n")
    assert not Parameter.objects.exists()


# ---------------------------------------------------------------- relief's data came over


def test_the_relief_migration_copies_standards_and_calendar_rows(regions):
    """relief 0008's SQL on tables shaped like the old relief ones (created in
    this test's transaction): every standard row is copied as it was; a
    calendar row that differs from the package's becomes the administrator's."""
    migration = importlib.import_module("relief.migrations.0008_standards_and_calendar_to_core")
    CalendarDay.objects.update_or_create(
        date=dt.date(2026, 10, 1),
        defaults={"is_working_day": False, "name": "国庆节", "source": CalendarDay.Source.PACKAGE},
    )
    CalendarDay.objects.update_or_create(
        date=dt.date(2026, 10, 2),
        defaults={"is_working_day": False, "name": "国庆节", "source": CalendarDay.Source.PACKAGE},
    )
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE TABLE relief_standard (id bigserial PRIMARY KEY, region_id varchar(12), key varchar(40),
                value numeric(14, 4), effective_from date, note varchar(200), created_at timestamptz);
            CREATE TABLE relief_calendarday (date date PRIMARY KEY, is_working_day boolean, name varchar(40));
            INSERT INTO relief_standard (region_id, key, value, effective_from, note, created_at) VALUES
                ('320600000000', 'dibao_standard', 780, '2022-07-01', '演示', '2022-06-30 10:00+08'),
                ('320612000000', 'dibao_standard', 820, '2027-01-01', '区政府文件', '2026-11-01 09:00+08');
            INSERT INTO relief_calendarday VALUES ('2026-10-01', false, '国庆节'),
                ('2026-10-02', true, '本地调整'), ('2027-01-01', false, '元旦');
        """)
        cursor.execute(migration.COPY)
    assert list(
        Parameter.objects.order_by("effective_from").values_list("region_id", "key", "value", "effective_from", "note")
    ) == [
        ("320600000000", "dibao_standard", Decimal("780"), dt.date(2022, 7, 1), "演示"),
        ("320612000000", "dibao_standard", Decimal("820"), dt.date(2027, 1, 1), "区政府文件"),
    ]
    days = {
        d.date: (d.is_working_day, d.name, d.source)
        for d in CalendarDay.objects.filter(date__in=[dt.date(2026, 10, 1), dt.date(2026, 10, 2), dt.date(2027, 1, 1)])
    }
    assert days == {
        dt.date(2026, 10, 1): (False, "国庆节", "package"),  # agrees with the package: left alone
        dt.date(2026, 10, 2): (True, "本地调整", "admin"),  # differs: the administrator's wins
        dt.date(2027, 1, 1): (False, "元旦", "admin"),
    }  # beyond the package's years
