"""Organisations: recognition decided within 20 days, the public-fundraising
qualification with the governance checklist, through the bureau's page."""

import datetime as dt

import pytest

from charity import services
from charity.models import Organisation
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent
from tests.charity.conftest import ALL_GOVERNANCE


@pytest.mark.django_db
def test_recognition_within_20_days_then_qualification(charity, client):
    admin = charity["admin"]
    org = services.organisation_create(actor=admin, name="兴仁镇慈善会", region=charity["org"].region,
                                       org_type="social_group", registered_on=dt.date(2020, 1, 1))  # fmt: skip
    services.recognition_apply(actor=admin, org=org, applied_on=dt.date(2024, 8, 1))
    org.refresh_from_db()
    assert services.recognition_due(org) == dt.date(2024, 8, 21)
    with pytest.raises(DomainError, match="早于申请日期"):
        services.recognition_decide(actor=admin, org=org, approve=True, on=dt.date(2024, 7, 1))
    services.recognition_decide(actor=admin, org=org, approve=True, on=dt.date(2024, 8, 25))
    event = AuditEvent.objects.filter(target_type="charity.organisation", target_id=str(org.pk)).latest("id")
    assert event.changes["late"] is True  # decided after the 20 days
    org.refresh_from_db()
    assert org.recognition == Organisation.Recognition.RECOGNISED
    with pytest.raises(DomainError, match="满1年"):
        services.public_fundraising_grant(actor=admin, org=org, on=dt.date(2025, 8, 24))
    with pytest.raises(DomainError, match="治理条件"):
        services.public_fundraising_grant(actor=admin, org=org, on=dt.date(2025, 8, 25))
    # the checklist through the bureau's page, then the grant on the anniversary
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        f"/work/charity/organisations/{org.pk}/supervise/", {"action": "governance", **ALL_GOVERNANCE}
    )
    assert response.status_code == 302
    response = client.post(f"/work/charity/organisations/{org.pk}/supervise/", {"action": "grant", "on": "2025-08-25"})
    org.refresh_from_db()
    assert org.public_fundraising and org.public_fundraising_on == dt.date(2025, 8, 25)


@pytest.mark.django_db
def test_charity_staff_cannot_write_for_another_organisation(charity, client):
    client.force_login(charity["outsider"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/work/charity/organisations/{charity['org'].pk}/").status_code == 404
    assert (
        client.post(
            f"/work/charity/organisations/{charity['org'].pk}/setup/", {"action": "fund", "name": "x"}
        ).status_code
        == 404
    )
    client.force_login(charity["maker"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        f"/work/charity/organisations/{charity['org'].pk}/setup/", {"action": "fund", "name": "助老基金"}
    )
    assert response.status_code == 302
    assert charity["org"].fund_set.filter(name="助老基金").exists()
