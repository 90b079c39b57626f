import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from civil_affairs.service.rules import add_months, appeal_deadlines, staff_masked, street_of


def test_appeal_deadlines_from_the_decision_date():
    assert appeal_deadlines(dt.date(2026, 11, 9)) == (dt.date(2027, 1, 8), dt.date(2027, 5, 9))
    # six months from 31 August: there is no 31 February, so the month's last day
    assert appeal_deadlines(dt.date(2026, 8, 31))[1] == dt.date(2027, 2, 28)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.integers(0, 36))
def test_add_months_lands_in_the_right_month(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or later.day < day.day and (later + dt.timedelta(days=1)).day == 1


def test_staff_masked_and_street():
    assert staff_masked("王小明") == "王工作人员"
    assert street_of("320612001001") == "320612001000"
