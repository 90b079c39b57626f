"""Charity pages end to end on PostgreSQL: batch entry (nothing lost on a bad row),
the public disclosure page (no login, figures from the ledger, beneficiaries
masked), warnings on the organisation page and the dashboard, the resident's
portal, the person-360 row, the API, and list pages without N+1."""

import datetime as dt
from decimal import Decimal

import pytest

from charity import services
from charity.models import Donation, LedgerEntry
from civil_affairs.models import AuditEvent, Role
from tests.queries import assert_no_n_plus_one


def _login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.django_db
def test_batch_entry_keeps_every_row_on_a_bad_one_and_enters_all_when_good(charity, client):
    _login(client, charity["maker"])
    url = f"/work/charity/organisations/{charity['org'].pk}/donations/batch/"
    assert client.get(url).status_code == 200
    data = {"campaign": charity["drive"].pk, "received_on": "2026-06-10", "rows": "3",
            "name_0": "张三", "kind_0": "person", "amount_0": "100",
            "name_1": "李四", "kind_1": "person", "amount_1": "abc",
            "name_2": "", "kind_2": "person", "amount_2": "50", "anonymous_2": "on"}  # fmt: skip
    page = client.post(url, data).content.decode()
    assert "第2行" in page and "金额不是有效的数字" in page
    assert 'value="张三"' in page and 'value="abc"' in page  # nothing typed is lost
    assert not Donation.objects.exists()
    data["amount_1"] = "200"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Donation.objects.filter(campaign=charity["drive"]).count() == 3
    assert LedgerEntry.objects.count() == 3
    assert AuditEvent.objects.filter(target_type="charity.donation", action="create").count() == 3


@pytest.mark.django_db
def test_public_page_without_login_shows_ledger_totals_and_masks_beneficiaries(charity, households, client):
    org = charity["org"]
    head = households["ours"].members.get(relation="head").person
    donor = services.donor_get_or_create(org=org, kind="person", name="张三")
    services.donation_record(
        actor=charity["maker"], org=org, amount="1000", received_on=dt.date(2026, 3, 1), donor=donor
    )
    d = services.disbursement_propose(actor=charity["maker"], org=org, amount="300", purpose="大病救助", person=head)
    services.disbursement_approve(actor=charity["checker"], disbursement=d)
    h = services.disbursement_propose(
        actor=charity["maker"], org=org, amount="200", purpose="助学", household=households["ours"]
    )
    services.disbursement_approve(actor=charity["checker"], disbursement=h)
    client.logout()
    page = client.get(f"/charity/{org.pk}/").content.decode()
    assert "1,000.00" in page and "500.00" in page
    assert head.name not in page and (head.name[0] + "*") in page
    assert head.id_number not in page and households["ours"].number not in page
    assert "金沙社区 某户" in page
    index = client.get("/charity/").content.decode()
    assert org.name in index and "1,000.00" in index
    # the person 360 page shows the help received, to the registry staff of the jurisdiction
    _login(client, households and charity["admin"])
    person_page = client.get(f"/work/people/{head.pk}/").content.decode()
    assert "大病救助" in person_page and "助学" in person_page


@pytest.mark.django_db
def test_breach_warning_on_the_organisation_page_and_the_dashboard(charity, client):
    org = charity["org"]
    donor = services.donor_get_or_create(org=org, kind="person", name="张三")
    services.donation_record(
        actor=charity["maker"], org=org, amount="10000", received_on=dt.date(2025, 3, 1), donor=donor
    )
    services.donation_record(
        actor=charity["maker"], org=org, amount="10000", received_on=dt.date(2026, 3, 1), donor=donor
    )
    d = services.disbursement_propose(
        actor=charity["maker"], org=org, amount="6999", purpose="救助", beneficiary_name="某村"
    )
    services.disbursement_approve(actor=charity["checker"], disbursement=d)
    _login(client, charity["admin"])
    page = client.get(f"/work/charity/organisations/{org.pk}/").content.decode()
    assert 'data-testid="finding-breach"' in page and "低于法定最低 7000.00 元" in page
    dash = client.get("/work/charity/dashboard/").content.decode()
    assert 'data-testid="dashboard-warning"' in dash and org.name in dash
    export = client.get("/work/charity/dashboard/?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    d2 = services.disbursement_propose(
        actor=charity["maker"], org=org, amount="1", purpose="救助", beneficiary_name="某村"
    )
    services.disbursement_approve(actor=charity["checker"], disbursement=d2)
    page = client.get(f"/work/charity/organisations/{org.pk}/").content.decode()
    assert 'data-testid="finding-breach"' not in page  # 7 000 of 10 000: exactly 70 %
    # charity staff see their own organisation's dashboard
    _login(client, charity["maker"])
    assert org.name in client.get("/work/charity/dashboard/").content.decode()


@pytest.mark.django_db
def test_resident_sees_own_donations_and_receipts(charity, users, client):
    resident = users[Role.RESIDENT]
    org = charity["org"]
    donor = services.donor_get_or_create(org=org, kind="person", name=resident.person.name,
                                         id_number=resident.person.id_number)  # fmt: skip
    assert donor.person == resident.person
    d = services.donation_record(
        actor=charity["maker"], org=org, amount="66", received_on=dt.date(2026, 4, 1), donor=donor
    )
    r = services.receipt_issue(actor=charity["maker"], donation=d)
    other = services.donation_record(actor=charity["maker"], org=org, amount="77", received_on=dt.date(2026, 4, 1),
                                     donor=services.donor_get_or_create(org=org, kind="person", name="别人"))  # fmt: skip
    theirs = services.receipt_issue(actor=charity["maker"], donation=other)
    _login(client, resident)
    page = client.get("/my/charity/").content.decode()
    assert "66.00" in page and r.code in page and "77.00" not in page
    assert client.get(f"/my/charity/receipts/{r.pk}/").status_code == 200
    assert client.get(f"/my/charity/receipts/{theirs.pk}/").status_code == 404


@pytest.mark.django_db
def test_api_records_a_donation_for_own_organisation_only(charity, client):
    _login(client, charity["maker"])
    body = {"organisation": charity["org"].pk, "amount": "12.34", "received_on": "2026-05-01", "name": "API捐赠人"}
    response = client.post("/api/charity/donations/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "12.34"
    fen = client.post("/api/charity/donations/", {**body, "amount": "12.345"}, content_type="application/json")
    assert fen.status_code == 400 and "小数" in fen.json()["amount"][0]
    bad = client.post("/api/charity/donations/", {**body, "amount": "-1"}, content_type="application/json")
    assert bad.status_code == 400 and "大于零" in bad.json()["detail"]
    other = client.post("/api/charity/donations/", {**body, "organisation": charity["other"].pk},
                        content_type="application/json")  # fmt: skip
    assert other.status_code == 403
    listed = client.get("/api/charity/donations/").json()["results"]
    assert [d["donor_name"] for d in listed] == ["API捐赠人"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["donations", "receipts", "disbursements", "api"])
def test_lists_have_no_n_plus_one(charity, client, page):
    org = charity["org"]
    _login(client, charity["maker"])
    n = {"i": 0}

    def make(count):
        for _i in range(count):
            n["i"] += 1
            donor = services.donor_get_or_create(org=org, kind="person", name=f"列表捐赠人{n['i']}")
            d = services.donation_record(actor=charity["maker"], org=org, amount="5", received_on=dt.date(2026, 5, 1),
                                         donor=donor, campaign=charity["drive"])  # fmt: skip
            services.receipt_issue(actor=charity["maker"], donation=d)
            services.disbursement_propose(
                actor=charity["maker"], org=org, amount="1", purpose="x", beneficiary_name="某村"
            )

    url = "/api/charity/donations/" if page == "api" else f"/work/charity/organisations/{org.pk}/{page}/"
    assert_no_n_plus_one(client, url, make)


@pytest.mark.django_db
def test_transfer_between_funds_and_management_cost(charity, donor):
    org, fund = charity["org"], charity["fund"]
    services.donation_record(
        actor=charity["maker"], org=org, amount="500", received_on=dt.date(2026, 5, 1), donor=donor, fund=fund
    )
    from civil_affairs.errors import DomainError

    with pytest.raises(DomainError, match="不足"):
        services.transfer(actor=charity["maker"], org=org, amount="500.01", reason="调剂", source=fund, target=None)
    services.transfer(actor=charity["maker"], org=org, amount="200", reason="调剂", source=fund, target=None)
    with pytest.raises(DomainError, match="不足"):
        services.management_cost_record(actor=charity["maker"], org=org, amount="200.01", reason="办公")
    services.management_cost_record(actor=charity["maker"], org=org, amount="200", reason="办公")
    assert services.balance(org, fund=fund) == Decimal("300.00") and services.balance(org) == Decimal("0.00")


@pytest.mark.django_db
def test_city_dashboard_lists_breaches_first_and_says_how_many_are_left_out(charity, client, monkeypatch):
    from charity import selectors

    monkeypatch.setattr(selectors, "SHOWN_ROWS", 1)
    org = charity["org"]
    donor = services.donor_get_or_create(org=org, kind="person", name="张三")
    services.donation_record(
        actor=charity["maker"], org=org, amount="10000", received_on=dt.date(2025, 3, 1), donor=donor
    )
    _login(client, charity["admin"])
    page = client.get("/work/charity/dashboard/").content.decode()
    assert org.name in page and charity["other"].name not in page  # ours is in breach: listed first
    assert 'data-testid="dashboard-hidden"' in page
    export = client.get("/work/charity/dashboard/?export=xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    names = [
        row[0].value
        for row in load_workbook(
            BytesIO(b"".join(export.streaming_content if export.streaming else [export.content]))
        ).active.iter_rows(min_row=2)
    ]
    assert set(names) == {org.name, charity["other"].name}
