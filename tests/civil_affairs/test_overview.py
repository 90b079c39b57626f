"""The bureau overview (民政一张图, issue 11 item 6): every area's indicators by
district, equal to a hand count on test data; reviewers see their district;
the Excel export is audited; each indicator is one grouped query."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civil_affairs import areas
from civil_affairs.models import AuditEvent, Role
from civil_affairs.overview import overview_table
from relief.models import Application, Benefit, Payment, ReviewTask
from relief.services import payroll
from tests.civil_affairs.factories import MemberFactory, valid_id_number

TODAY = dt.date(2026, 11, 2)
NOV = dt.date(2026, 11, 1)


def _benefit(region, *, kind="dibao", members=1, amount="780.00", **fields):
    head = MemberFactory(household__region=region, person__id_number=valid_id_number(birth=dt.date(1960, 1, 1)))
    for _n in range(members - 1):
        MemberFactory(
            household=head.household, relation="child", person__id_number=valid_id_number(birth=dt.date(1990, 1, 1))
        )
    return Benefit.objects.create(
        **{
            "household": head.household,
            "recipient": head.person,
            "kind": kind,
            "region": region,
            "monthly_amount": Decimal(amount),
            "members": members,
            "start_month": dt.date(2026, 1, 1),
            **fields,
        }
    )


@pytest.fixture
def city(regions, users, settings):
    """通州区: 2 dibao households (3 + 1 persons; one line held), 1 extremely poor person, an overdue case
    and an open task; 崇川区: 1 dibao household of 2, a stopped one, one starting next month."""
    settings.MINZHENG_TODAY = TODAY
    big = _benefit(regions["jinsha_1"], members=3, amount="1200.00")
    _benefit(regions["xingren_1"], amount="700.00")
    _benefit(regions["jinsha_1"], kind="tekun", amount="1614.00")
    _benefit(regions["wenfeng_1"], members=2, amount="900.00")
    _benefit(regions["wenfeng_1"], members=4, status="stopped")
    _benefit(regions["wenfeng_1"], members=5, start_month=dt.date(2026, 12, 1))
    payroll.payroll_generate(month=NOV)
    Payment.objects.filter(benefit__region=regions["xingren_1"]).update(held=True)  # held: not counted as paid
    Application.objects.create(
        number="T1",
        kind="temporary",
        temporary_type="emergency",
        household=big.household,
        applicant=big.recipient,
        region=big.region,
        state="accepted",
        deadline=dt.date(2026, 10, 30),
    )
    Application.objects.create(
        number="T2",
        kind="temporary",
        temporary_type="emergency",
        household=big.household,
        applicant=big.recipient,
        region=big.region,
        state="accepted",
        deadline=dt.date(2026, 11, 30),
    )  # not overdue yet
    ReviewTask.objects.create(kind="vehicle", benefit=big, region=big.region, key="1")
    ReviewTask.objects.create(kind="vehicle", benefit=big, region=big.region, key="2", status="done")
    return regions


def _table(user, day=TODAY):
    districts, columns = overview_table(user, day)
    return [d.name for d in districts], {c.key: (c.values, c.total) for c in columns}


def test_values_per_district_equal_a_hand_count(city, users):
    names, table = _table(users[Role.BUREAU_ADMIN])
    assert names == ["通州区", "崇川区"]
    assert table["relief_dibao_households"] == ([2, 1], 3)
    assert table["relief_dibao_persons"] == ([4, 2], 6)
    assert table["relief_tekun_persons"] == ([1, 0], 1)
    # November's lines: 通州 1200 + 1614 (xingren's 700 is held), 崇川 900
    assert table["relief_paid_month"] == ([Decimal("2814.00"), Decimal("900.00")], Decimal("3714.00"))
    assert table["relief_applications_overdue"] == ([1, 0], 1)
    assert table["relief_tasks_open"] == ([1, 0], 1)
    # the test-only sample area's indicator shows up too, without any core edit
    assert "sample_people" in table


def test_another_day_counts_that_month(city, users):
    _names, table = _table(users[Role.BUREAU_ADMIN], dt.date(2026, 12, 15))
    assert table["relief_dibao_households"] == ([2, 2], 4)  # 崇川's December start counts from December
    assert table["relief_paid_month"][1] == Decimal("0.00")  # no December roll yet


def test_a_reviewer_sees_their_district(city, users):
    names, table = _table(users[Role.REVIEWER])
    assert names == ["通州区"] and table["relief_dibao_households"] == ([2], 2)


def test_each_indicator_is_one_query(city, users):
    indicators = sum(len(a.indicators) for a in areas.registered())
    with CaptureQueriesContext(connection) as queries:
        overview_table(users[Role.BUREAU_ADMIN], TODAY)
    shared = 1 if "eldercare" in {a.key for a in areas.registered()} else 0  # the day's aged-60 count, for two figures
    assert len(queries) == indicators + 1 + shared  # + the districts


def test_the_page_shows_the_table_and_the_chart_data(city, users, login):
    page = login(users[Role.AUDITOR]).get("/work/overview/?day=2026-11-02").content.decode()
    assert 'data-testid="overview-table"' in page and "通州区" in page and "崇川区" in page
    assert 'id="overview-data"' in page and 'id="overview-relief_dibao_households"' in page
    assert 'data-testid="total-relief_paid_month">3714.00<' in page
    assert "<script>" not in page  # CSP: data through json_script only


def test_a_future_day_is_refused_with_a_message(city, users, login):
    page = login(users[Role.BUREAU_ADMIN]).get("/work/overview/?day=2030-01-01").content.decode()
    assert "统计日期不能晚于今天。" in page and "2026-11-02" in page


def test_the_export_is_audited_and_has_a_total_row(city, users, login):
    admin = users[Role.BUREAU_ADMIN]
    response = login(admin).get("/work/overview/export.xlsx?day=2026-11-02")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("区县", "区划代码", "低保户数（户）")
    assert rows[1][:3] == ("通州区", "320612000000", 2) and rows[-1][:3] == ("合计", None, 3)
    event = AuditEvent.objects.get(action="export", target_type="civil_affairs.overview")
    assert event.actor == admin and event.changes == {"filters": {"day": "2026-11-02"}}
