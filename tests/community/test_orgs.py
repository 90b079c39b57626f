"""Social organisations: filing level, annual reports, rating eligibility, score
bands from the dated parameters, objections, validity, lists."""

import datetime as dt
from decimal import Decimal

import pytest

from civil_affairs.errors import DomainError
from civil_affairs.models import Role
from civil_affairs.parameters import parameter_set
from community import selectors, services
from community.models import Rating, SocialOrg

from . import factories as f

D = dt.date


def test_community_orgs_are_filed_at_street_level(today, regions, users):
    caseworker = users[Role.CASEWORKER]
    with pytest.raises(DomainError, match="街道"):
        services.org_file(
            actor=caseworker, region=regions["jinsha_1"], name="广场舞队", kind="community", registered_on=D(2022, 1, 1)
        )
    org = services.org_file(
        actor=caseworker, region=regions["jinsha"], name="广场舞队", kind="community", registered_on=D(2022, 1, 1)
    )
    assert org.kind == SocialOrg.Kind.COMMUNITY


def test_rating_refused_with_reasons_then_graded(today, regions, users):
    caseworker = users[Role.CASEWORKER]
    young = f.org(regions["jinsha"], registered_on=D(2024, 6, 2))
    refused = services.rating_apply(actor=caseworker, org=young, applied_on=today)
    assert refused.state == Rating.State.REFUSED and "2026-06-02" in refused.refusal

    org = f.org(regions["jinsha"], name="金沙养老服务中心", registered_on=D(2020, 3, 1))
    services.annual_report_record(actor=caseworker, org=org, year=2024, submitted_on=D(2025, 3, 20), result="pass")
    report = services.annual_report_record(
        actor=caseworker, org=org, year=2025, submitted_on=D(2026, 4, 1), result="basic"
    )
    assert report.late  # after 31 March
    rating = services.rating_apply(actor=caseworker, org=org, applied_on=today)
    assert rating.state == Rating.State.APPLIED
    services.rating_score(actor=caseworker, rating=rating, score=951, scored_on=today)
    rating.refresh_from_db()
    assert rating.grade == "5A"
    services.rating_object(actor=caseworker, rating=rating, text="评分有误", received_on=today)
    rating.refresh_from_db()
    assert rating.objection_due == D(2026, 6, 16)
    services.rating_answer(actor=caseworker, rating=rating, answer="复核后维持", answered_on=D(2026, 6, 10), score=950)
    rating.refresh_from_db()
    assert rating.grade == "4A"
    services.rating_finalise(actor=caseworker, rating=rating, on=today)
    org.refresh_from_db()
    assert org.grade == "4A" and org.grade_until == D(2031, 5, 31)
    # a grade in force blocks a new application; expiry reminder within 90 days of the end
    assert services.rating_apply(actor=caseworker, org=org, applied_on=today).state == Rating.State.REFUSED
    assert list(selectors.grades_expiring(users[Role.BUREAU_ADMIN], on=D(2031, 4, 1))) == [org]


def test_basic_two_years_running_refused(today, regions, users):
    caseworker = users[Role.CASEWORKER]
    org = f.org(regions["jinsha"])
    services.annual_report_record(actor=caseworker, org=org, year=2024, submitted_on=D(2025, 3, 1), result="basic")
    services.annual_report_record(actor=caseworker, org=org, year=2025, submitted_on=D(2026, 3, 1), result="basic")
    rating = services.rating_apply(actor=caseworker, org=org, applied_on=today)
    assert rating.state == Rating.State.REFUSED and "连续两年" in rating.refusal


def test_score_bands_are_dated_parameters(today, regions, users):
    caseworker = users[Role.CASEWORKER]
    parameter_set(
        actor=users[Role.BUREAU_ADMIN],
        region=regions["city"],
        key="org_band_5a",
        value=Decimal(961),
        effective_from=D(2026, 1, 1),
    )
    org = f.org(regions["jinsha"])
    for year in (2024, 2025):
        services.annual_report_record(
            actor=caseworker, org=org, year=year, submitted_on=D(year + 1, 3, 1), result="pass"
        )
    rating = services.rating_apply(actor=caseworker, org=org, applied_on=today)
    services.rating_score(actor=caseworker, rating=rating, score=955, scored_on=today)
    rating.refresh_from_db()
    assert rating.grade == "4A"  # 955 < 961 from 2026
    rating2 = services.rating_apply(actor=caseworker, org=f.org(regions["jinsha"], name="乙"), applied_on=today)
    Rating.objects.filter(pk=rating2.pk).update(state="applied", refusal="")
    services.rating_score(actor=caseworker, rating=rating2, score=955, scored_on=D(2025, 12, 31))
    rating2.refresh_from_db()
    assert rating2.grade == "5A"  # the shipped bands before 2026


def test_lists_need_a_reason(today, regions, users):
    caseworker = users[Role.CASEWORKER]
    org = f.org(regions["jinsha"])
    with pytest.raises(DomainError, match="原因"):
        services.org_list_set(actor=caseworker, org=org, which="abnormal", since=today)
    services.org_list_set(actor=caseworker, org=org, which="violation", since=today, reason="虚假年报")
    assert list(selectors.org_list_for_user(caseworker, listed="violation")) == [org]
