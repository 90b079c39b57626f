"""`manage.py seed_demo`: the demo city's shape, valid and unique ID numbers,
repeatability for a seed, and the command's options."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from civil_affairs import demo, rules
from civil_affairs.models import AssetRecord, Household, HouseholdMember, IncomeRecord, Person, Region, Role, User

pytestmark = pytest.mark.django_db(transaction=True)

NANTONG_COUNTIES = {
    "320612000000": "通州区",
    "320613000000": "崇川区",
    "320614000000": "海门区",
    "320623000000": "如东县",
    "320681000000": "启东市",
    "320682000000": "如皋市",
    "320685000000": "海安市",
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    return {
        "regions": list(Region.objects.order_by("code").values_list("code", "name", "is_urban")),
        "persons": sorted(Person.objects.values_list("id_number", "name", "phone", "hukou_region_id")),
        "households": sorted(Household.objects.values_list("number", "region_id", "address")),
        "income": sorted(IncomeRecord.objects.values_list("person__id_number", "kind", "amount")),
        "assets": sorted(AssetRecord.objects.values_list("household__number", "kind", "amount")),
    }


def test_region_tree_is_nantong():
    seed("--households=300", "--seed=7")
    city = Region.objects.get(code="320600000000")
    assert (city.name, city.level, city.parent_id) == ("南通市", Region.Level.CITY, "320000000000")
    assert dict(city.children.values_list("code", "name")) == NANTONG_COUNTIES
    assert Region.objects.get(code="320612001000").name == "金沙街道"
    assert 8 <= Region.objects.filter(parent_id="320612000000").count() <= 12
    villages = Region.objects.filter(level=Region.Level.VILLAGE)
    assert 1500 <= villages.count() <= 2600  # "about 2 000" (DESIGN.md)
    parents = dict(Region.objects.values_list("code", "prefix"))
    for region in Region.objects.exclude(parent=None):
        assert region.level == rules.region_level_of(region.code)
        assert region.prefix == rules.region_prefix(region.code)
        assert region.code.startswith(parents[region.parent_id])
    assert villages.filter(name__endswith="村", is_urban=False).exists()
    assert not villages.filter(name__endswith="村", is_urban=True).exists()


def test_people_have_valid_unique_id_numbers():
    seed("--households=300", "--seed=7")
    people = list(Person.objects.values_list("id_number", "sex", "birth_date", "hukou_region_id"))
    assert len(people) > 600  # about 2.6 per household
    for id_number, sex, birth_date, hukou in people:
        info = rules.parse_id_number(id_number)
        assert (info.sex, info.birth_date, info.address_code) == (sex, birth_date, hukou[:6])
    assert len({p[0] for p in people}) == len(people)
    assert Person.objects.filter(disability_grade__gt=0).exists()


def test_every_household_has_one_head_and_records():
    seed("--households=300", "--seed=7")
    assert Household.objects.count() == 300
    heads = Household.objects.annotate(heads=Count("members", filter=Q(members__relation="head")))
    assert set(heads.values_list("heads", flat=True)) == {1}
    assert not Person.objects.filter(membership=None).exists()
    wages = IncomeRecord.objects.filter(kind=IncomeRecord.Kind.WAGES)
    assert wages.exists()
    assert set(wages.values_list("period_start", "period_end", "source").distinct()) == {
        (demo.PERIOD_START, demo.PERIOD_END, "declared")
    }
    assert AssetRecord.objects.filter(kind=AssetRecord.Kind.DEPOSIT).exists()


def test_sequences_continue_after_the_loaded_ids():
    seed("--households=20", "--seed=7")
    community = Region.objects.filter(level=Region.Level.VILLAGE).first()
    household = Household.objects.create(number="H-new", region=community)
    assert household.pk == 21


def test_demo_logins():
    out = seed("--households=300", "--seed=7")
    expected = {
        "admin": (Role.BUREAU_ADMIN, "320600000000"),
        "reviewer_tz": (Role.REVIEWER, "320612000000"),
        "caseworker_jinsha": (Role.CASEWORKER, "320612001000"),
        "caseworker_other": (Role.CASEWORKER, "320613001000"),
        "community_worker": (Role.COMMUNITY_WORKER, "320612001001"),
        "institution_staff": (Role.INSTITUTION_STAFF, "320612000000"),
        "charity_staff": (Role.CHARITY_STAFF, "320600000000"),
        "auditor": (Role.AUDITOR, "320600000000"),
    }
    for username, (role, region) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.region_id) == (role, region)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert username in out
    assert User.objects.get(username="admin").is_superuser
    resident = User.objects.get(role=Role.RESIDENT)
    assert resident.username == resident.person.phone
    assert resident.person.membership.relation == HouseholdMember.Relation.HEAD
    assert resident.person.residence_region_id == "320612001001"
    assert resident.check_password(demo.DEMO_PASSWORD)
    assert demo.DEMO_PASSWORD in out
    validate_password(demo.DEMO_PASSWORD, resident)


def test_same_seed_gives_the_same_city():
    seed("--households=300", "--seed=11")
    first = snapshot()
    seed("--households=300", "--seed=11", "--reset")
    assert snapshot() == first
    seed("--households=300", "--seed=12", "--reset")
    assert snapshot()["persons"] != first["persons"]


def test_if_empty_keeps_existing_data():
    seed("--households=30")
    out = seed("--households=100", "--if-empty")
    assert "跳过" in out
    assert Household.objects.count() == 30


def test_refuses_to_seed_twice_without_reset():
    seed("--households=30")
    with pytest.raises(CommandError, match="--reset"):
        seed("--households=30")
    assert Household.objects.count() == 30


@pytest.mark.parametrize("n", ["0", "-5"])
def test_rejects_non_positive_household_count(n):
    with pytest.raises(CommandError, match="正整数"):
        seed(f"--households={n}")
    assert not Region.objects.exists()


def test_reset_and_if_empty_are_exclusive():
    with pytest.raises(CommandError):
        seed("--households=10", "--reset", "--if-empty")


def test_demo_logins_do_not_depend_on_household_count():
    seed("--households=40", "--seed=3")
    resident = User.objects.get(role=Role.RESIDENT).username
    first = sorted(Person.objects.values_list("id_number", "name"))
    seed("--households=200", "--seed=3", "--reset")
    assert User.objects.get(role=Role.RESIDENT).username == resident
    assert sorted(Person.objects.filter(pk__lte=len(first)).values_list("id_number", "name")) == first


def test_every_copied_table_takes_an_orm_insert_after_seeding():
    """Regression: member rows were COPYed with explicit ids and their sequence
    stayed at 1, so a resident's first online application failed with an
    IntegrityError on civil_affairs_householdmember_pkey."""
    import datetime as dt

    from civil_affairs.models import ExpenditureRecord

    seed("--households=50", "--seed=3")
    community = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").first()
    person = Person.objects.create(
        id_number=rules.make_id_number(community.code[:6], dt.date(1990, 5, 17), 901),
        name="新申请",
        hukou_region=community,
        residence_region=community,
    )
    household = Household.objects.create(number="H999999999000001", region=community)
    HouseholdMember.objects.create(household=household, person=person, relation=HouseholdMember.Relation.HEAD)
    period = {"period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 6, 30)}
    IncomeRecord.objects.create(household=household, person=person, kind="wages", amount=100, **period)
    AssetRecord.objects.create(household=household, person=person, kind="deposit", amount=100, **period)
    ExpenditureRecord.objects.create(household=household, person=person, kind="medical", amount=100, **period)
    for table, _columns in demo.TABLES.values():  # every COPYed table is covered above
        assert table in {
            m._meta.db_table for m in (Person, Household, HouseholdMember, IncomeRecord, AssetRecord, ExpenditureRecord)
        }
