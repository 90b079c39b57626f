"""Builders for relief tests: an application taken through the procedure's
first steps by the staff of tests/relief/conftest.py's `staff` fixture, and
a benefit in payment."""

import datetime as dt
from decimal import Decimal

from relief.models import Application, Benefit
from relief.services import applications as svc

TODAY = dt.date(2026, 11, 2)  # a Monday


def submitted(family, staff, kind="dibao", **extra) -> Application:
    worker = staff["caseworker"]
    app = svc.application_create(actor=worker, household=family, kind=kind, **extra)
    svc.application_details_update(
        actor=worker,
        application=app,
        authorised_verification=True,
        bank_name="农业银行",
        bank_account="6228480012345678901",
    )
    return svc.application_submit(actor=worker, application=app)


def visited(app, staff, on=TODAY, findings="情况属实"):
    """The caseworker's home visit, co-signed by their colleague in their own session."""
    visit = svc.application_visit_record(
        actor=staff["caseworker"],
        application=app,
        second_visitor=staff["colleague"],
        visited_on=on,
        living_conditions="两居室，家具简陋",
        findings=findings,
    )
    return svc.visit_confirm(actor=staff["colleague"], visit=visit)


def investigated(app, staff) -> Application:
    svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS[app.kind]}
    )
    visited(app, staff)
    app.refresh_from_db()
    return app


def benefit_for(household, **fields) -> Benefit:
    """A dibao benefit of 780 yuan a month paid to the household's head since January 2026."""
    head = household.members.get(relation="head").person
    values = {
        "household": household,
        "recipient": head,
        "kind": "dibao",
        "region": household.region,
        "monthly_amount": Decimal("780.00"),
        "members": household.members.count(),
        "start_month": dt.date(2026, 1, 1),
        "next_recheck": dt.date(2027, 6, 1),
        "bank_account": "6228480012345678901",
    }
    values.update(fields)
    return Benefit.objects.create(**values)
