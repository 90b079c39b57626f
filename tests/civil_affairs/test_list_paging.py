"""Lists (issue 12 item 8): keyset pages walked forwards and backwards, the
result count (exact under a bound, else the planner's estimate, "约"), and
Chinese names in pinyin order, on PostgreSQL."""

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civil_affairs import listing
from civil_affairs.models import Person, Role
from civil_affairs.pagination import keyset_page, pinyin_collation_available
from tests.civil_affairs.factories import MemberFactory, valid_id_number

PINYIN_NAMES = ["安娜", "陈七", "李四", "王五", "张三", "赵六"]  # in pinyin order; by code point 安 张 李 王 赵 陈


def _walk(qs, *, sort, size, pinyin=()):
    """Every page forwards, then every page backwards from the last: (forward pages, backward pages)."""
    forward, cursor = [], None
    while True:
        page = keyset_page(
            qs,
            sort=sort,
            allowed=("name", "number", "id_number"),
            default=sort,
            cursor=cursor,
            size=size,
            pinyin=pinyin,
        )
        forward.append(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    backward, before = [forward[-1]], forward[-1].prev_cursor
    while before:
        page = keyset_page(
            qs,
            sort=sort,
            allowed=("name", "number", "id_number"),
            default=sort,
            cursor=None,
            before=before,
            size=size,
            pinyin=pinyin,
        )
        backward.append(page)
        before = page.prev_cursor
    return forward, backward


@pytest.mark.parametrize("sort", ["number", "-number"])
def test_backwards_gives_the_same_pages_as_forwards(regions, sort):
    for _ in range(23):
        MemberFactory(household__region=regions["jinsha_1"])
    from civil_affairs.models import Household

    forward, backward = _walk(Household.objects.all(), sort=sort, size=5)
    pages = [[h.number for h in page.items] for page in forward]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [[h.number for h in page.items] for page in reversed(backward)] == pages
    assert forward[0].prev_cursor is None and backward[-1].prev_cursor is None  # the first page has none
    assert all(page.next_cursor for page in backward[1:])  # every page reached backwards has a next page


def test_ties_on_the_sort_value_are_paged_by_id_both_ways(regions):
    for _ in range(7):
        MemberFactory(household__region=regions["jinsha_1"], person__name="同名")
    forward, backward = _walk(Person.objects.all(), sort="name", size=3, pinyin=("name",))
    ids = [p.pk for page in forward for p in page.items]
    assert ids == sorted(ids) and len(ids) == 7
    assert [p.pk for page in reversed(backward) for p in page.items] == ids


def test_people_list_sorts_names_by_pinyin_both_ways(regions, users, login):
    assert pinyin_collation_available(), "the test server has ICU's zh-x-icu"
    for name in reversed(PINYIN_NAMES):
        MemberFactory(household__region=regions["jinsha_1"], person__name=name)
    people = Person.objects.filter(name__in=PINYIN_NAMES)
    forward, backward = _walk(people, sort="name", size=4, pinyin=("name",))
    assert [p.name for page in forward for p in page.items] == PINYIN_NAMES
    assert [p.name for page in reversed(backward) for p in page.items] == PINYIN_NAMES
    descending, _ = _walk(people, sort="-name", size=4, pinyin=("name",))
    assert [p.name for page in descending for p in page.items] == PINYIN_NAMES[::-1]
    response = login(users[Role.CASEWORKER]).get("/work/people/")
    shown = [name for name in re.findall(r"</a></td><td>([^<]+)</td>", response.text) if name in PINYIN_NAMES]
    assert shown == PINYIN_NAMES


def test_previous_page_link_and_count_on_the_page(regions, users, login, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 4)
    for _ in range(10):
        MemberFactory(household__region=regions["jinsha_1"])
    client = login(users[Role.REVIEWER])
    first = client.get("/work/households/")
    assert 'data-testid="prev-page"' not in first.text
    assert first.context["count"] == listing.ResultCount(10, True) and "共 10 条" in first.text
    second = client.get("/work/households/" + _link(first, "next-page"))
    back = client.get("/work/households/" + _link(second, "prev-page"))
    assert [h.pk for h in back.context["page"].items] == [h.pk for h in first.context["page"].items]
    assert 'data-testid="prev-page"' not in back.text and 'data-testid="next-page"' in back.text


def _link(response, testid):
    match = re.search(rf'data-testid="{testid}" href="(\?[^"]+)"', response.text)
    assert match, testid
    return match.group(1).replace("&amp;", "&")


def test_count_beyond_the_bound_is_the_planners_estimate(regions, users, login, monkeypatch):
    monkeypatch.setattr(listing, "EXACT_COUNT_LIMIT", 5)
    for _ in range(12):
        MemberFactory(household__region=regions["jinsha_1"])
    response = login(users[Role.CASEWORKER]).get("/work/people/")
    count = response.context["count"]
    assert not count.exact and count.value >= 6  # never less than what was counted
    assert f"约 {count.value} 条" in response.text
    small = login(users[Role.CASEWORKER]).get("/work/people/", {"q": Person.objects.first().name})
    assert small.context["count"] == listing.ResultCount(1, True)


def test_region_filter_accepts_a_name_or_a_code(households, users, login):
    client = login(users[Role.REVIEWER])  # 通州区: sees 金沙社区's household, not 文峰社区's
    by_name = client.get("/work/households/", {"region": "金沙街道"})
    by_code = client.get("/work/households/", {"region": "320612001000"})
    numbers = [h.number for h in by_name.context["page"].items]
    assert numbers == ["H320612001000001"] == [h.number for h in by_code.context["page"].items]
    assert client.get("/work/households/", {"region": "文峰社区"}).context["page"].items == []  # not theirs
    assert client.get("/work/households/", {"region": "无此地"}).context["page"].items == []
    people = client.get("/work/people/", {"region": "金沙社区"}).context["page"].items
    assert {p.name for p in people} >= {"王建国", "李秀英"} and "陈志强" not in {p.name for p in people}


def test_region_picker_suggests_regions_of_the_jurisdiction_only(regions, users, login):
    client = login(users[Role.REVIEWER])
    html = client.get("/work/regions/suggest/", {"region": "社区"}).text
    assert '<option value="金沙社区">' in html and "文峰社区" not in html  # 崇川区 is not theirs
    assert client.get("/work/regions/suggest/", {"region": "320612"}).text.strip() == ""  # codes need no picker
    page = client.get("/work/households/").text
    assert 'list="region-options"' in page and 'hx-get="/work/regions/suggest/"' in page


def test_pinyin_pages_walk_the_index_without_sorting(regions):
    """On a few thousand people, the first page and a page after a cursor read
    the (name COLLATE "zh-x-icu", id) index in order: no Sort node in the plan."""
    rng = random.Random(12)
    births = [dt.date(1950, 1, 1) + dt.timedelta(days=i) for i in range(3000)]
    Person.objects.bulk_create(
        Person(
            name=rng.choice("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张") + rng.choice("伟芳娜敏静丽强磊军洋"),
            id_number=valid_id_number(birth=birth),
            birth_date=birth,
            sex="M",
            hukou_region=regions["jinsha_1"],
            residence_region=regions["jinsha_1"],
        )
        for birth in births
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE civil_affairs_person")

    def plan_of(cursor_value):
        with CaptureQueriesContext(connection) as queries:
            page = keyset_page(
                Person.objects.all(),
                sort="name",
                allowed=("name",),
                default="name",
                cursor=cursor_value,
                pinyin=("name",),
            )
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {queries.captured_queries[-1]['sql']}")
            return page, "\n".join(row[0] for row in cursor.fetchall())

    first, plan = plan_of(None)
    assert "person_name_pinyin_id" in plan and "Sort" not in plan, plan
    _, plan = plan_of(first.next_cursor)
    assert "person_name_pinyin_id" in plan and "Sort" not in plan, plan
