"""The demo seeder: set-based, repeatable for a seed, every step present."""

from civil_affairs.demo import REFERENCE_DATE as REFERENCE
from community import demo_seed
from community.models import Committee, CommitteeMember, Election, SocialOrg, Topic, TopicEntry
from tests.community import factories as f


def test_seed_is_repeatable_and_covers_every_step(regions, users):
    for key in ("jinsha_1", "xingren_1", "wenfeng_1"):
        f.voters(regions[key], 8)
    first = demo_seed.seed(seed=7)
    snapshot = sorted(Topic.objects.values_list("region_id", "title", "state", "proposed_on"))
    assert first["Committee"] == 3 and Committee.objects.filter(current=True).count() == 3
    assert CommitteeMember.objects.filter(post="chair").count() == 3
    assert Election.objects.filter(state="handed_over").count() == 3
    assert Topic.objects.count() == 18 and TopicEntry.objects.filter(step="propose").count() == 18
    assert SocialOrg.objects.filter(kind="community").exists() and SocialOrg.objects.exclude(kind="community").exists()
    from civil_affairs.parameters import parameters_in_force
    from community.parameters import bands_in_force

    assert bands_in_force(regions["jinsha_1"].code, REFERENCE) == {
        "5A": 951,
        "4A": 901,
        "3A": 851,
        "2A": 801,
        "1A": 751,
    }
    assert parameters_in_force(regions["city"].code, REFERENCE, keys=["org_band_5a"]) == {"org_band_5a": 951}
    again = demo_seed.seed(seed=7)
    assert again == first
    assert sorted(Topic.objects.values_list("region_id", "title", "state", "proposed_on")) == snapshot
    # every past election's ballot box adds up
    for e in Election.objects.filter(state="handed_over").prefetch_related("boxes"):
        box = e.boxes.get()
        assert box.valid + box.invalid == box.returned == e.voted
