"""The demo city holds the visit list (built by the batch two weeks ago, with
计生特扶 feed rows) and visits by the community worker and caseworkers, some
overdue; the same seed gives the same list."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from civil_affairs.models import FeedRecord
from eldercare.models import VulnerableElder, VulnerableVisit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _snapshot():
    return sorted(VulnerableElder.objects.values_list("person__id_number", "reasons", "next_due"))


def test_the_demo_city_has_a_visit_list_and_visits():
    out = io.StringIO()
    call_command("seed_demo", "--households=1200", "--seed=5", stdout=out)
    assert "探访关爱对象" in out.getvalue()
    entries = VulnerableElder.objects.filter(ended_on__isnull=True)
    reasons = {r for e in entries for r in e.reasons}
    assert {"alone", "empty_nest"} <= reasons
    assert FeedRecord.objects.filter(kind="fp_support").exists()
    assert VulnerableVisit.objects.filter(seen=True).exists()
    visited = entries.filter(last_visit_on__isnull=False).first()
    last = visited.visits.order_by("-visited_on").first().visited_on
    assert visited.next_due == last + dt.timedelta(days=7)
    first = _snapshot()
    call_command("seed_demo", "--households=1200", "--seed=5", "--reset", stdout=io.StringIO())
    assert _snapshot() == first
