"""Eldercare's demo seeder through `seed_demo`: institutions, beds and
residents, providers, orders and visits, meals, the month's senior allowance
and settlement; the same seed gives the same eldercare data."""

import io

import pytest
from django.core.management import call_command

from eldercare.models import (
    Bed,
    Facility,
    HomeCareOrder,
    Institution,
    Meal,
    Provider,
    SeniorAllowance,
    ServiceItem,
    Stay,
    Visit,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "institutions": sorted(Institution.objects.values_list("filing_number", "operator", "star_grade", "medical")),
        "beds": sorted(Bed.objects.values_list("institution__filing_number", "room", "number", "kind", "status")),
        "stays": sorted(Stay.objects.values_list("person__id_number", "bed__institution__filing_number")),
        "orders": sorted(HomeCareOrder.objects.values_list("person__id_number", "allowance")),
        "meals": Meal.objects.count(),
        "allowance": sorted(SeniorAllowance.objects.values_list("person__id_number", "band", "amount")),
    }


def test_seeded_city_has_eldercare_and_is_repeatable():
    out = seed("--households=1500", "--seed=7")
    assert "养老服务" in out
    assert Institution.objects.exists() and Bed.objects.filter(kind="nursing").exists()
    assert Stay.objects.filter(state="admitted").count() == Bed.objects.filter(status="occupied").count() > 0
    assert Provider.objects.count() == 3 * 7 and ServiceItem.objects.count() == 4 * 21
    assert Facility.objects.filter(kind="day_care", operator__isnull=False).exists()
    assert Visit.objects.filter(status="done", elder_confirmed=True).count() == 4 * HomeCareOrder.objects.count()
    assert SeniorAllowance.objects.exists() and Meal.objects.exists()
    first = snapshot()
    seed("--households=1500", "--seed=7", "--reset")
    assert snapshot() == first
