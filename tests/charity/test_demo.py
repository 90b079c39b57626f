"""The charity demo data from `seed_demo`: organisations at city, district,
town and village level, a named fund, the yearly drive, about 50 donations per
100 households, disbursements to relief households, one organisation in breach."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from charity import selectors
from charity.models import Campaign, Disbursement, Donation, Fund, LedgerEntry, LedgerTotal, Organisation, Receipt
from civil_affairs.models import Household

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_seed_demo_builds_charity_data():
    out = io.StringIO()
    call_command("seed_demo", "--households", "1500", "--seed", "7", stdout=out)
    assert "慈善：组织" in out.getvalue()
    levels = set(Organisation.objects.values_list("region__level", flat=True))
    assert levels == {2, 3, 4, 5}
    assert Fund.objects.filter(name="张謇慈善基金", is_named=True).exists()
    assert Campaign.objects.filter(name="2026年慈善一日捐", plan__isnull=False).exists()
    households = Household.objects.count()
    donations = Donation.objects.count()
    assert 0.40 * households <= donations <= 0.60 * households
    assert LedgerEntry.objects.filter(kind="donation").count() == donations
    assert LedgerTotal.objects.aggregate(s=Sum("amount"))["s"] == LedgerEntry.objects.aggregate(s=Sum("amount"))["s"]
    assert Disbursement.objects.filter(beneficiary_kind="household", status="approved").exists()
    assert Receipt.objects.filter(kind="yearly", year=2025).exists()
    breaches = [
        o.name
        for o in Organisation.objects.filter(region__level__lte=3)
        if any(f.breach and f.key == "spending" for f in selectors.checks_for(o, 2026))
    ]
    assert len(breaches) == 1, breaches
