"""Issue 10 finding 2: a role that sees only masked ID numbers cannot unmask one
by searching with growing prefixes, by sorting, or from the birth date and the
registered residence; searches by ID number are limited per minute and audited."""

import datetime as dt
import io
import time

import pytest
from django.core.cache import cache
from openpyxl import load_workbook
from rest_framework.test import APIClient

from civil_affairs import rules
from civil_affairs.models import AuditEvent, Person, Role
from civil_affairs.selectors import person_list_for_user, registry_search, search_parse, seconds_to_next_window
from tests.factories import PersonFactory, valid_id_number

SEARCH = "civil_affairs.person_search"


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    cache.clear()
    settings.SEARCH_RATE_PER_MINUTE = 1000
    settings.MINZHENG_TODAY = dt.date(2026, 3, 1)
    yield
    cache.clear()


@pytest.fixture
def same_minute():
    """The limit is a fixed window per minute: start a counting test well inside one."""
    if seconds_to_next_window() < 15:
        time.sleep(seconds_to_next_window() + 0.1)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def head(households):
    return households["ours"].members.get(relation="head").person


@pytest.mark.parametrize(
    "query, kind",
    [
        ("", "empty"),
        ("320612198005170011", "id_exact"),
        ("32061219800517001x", "id_exact"),
        ("张 1234", "id_last4"),
        ("1234 张三", "id_last4"),
        ("张三　123X", "id_last4"),  # full-width space, check character X
        ("3206121980", "id_prefix"),
        ("1234", "id_prefix"),
        ("13900000001", "phone"),
        ("王建", "name"),
        ("张 三", "name"),
    ],
)
def test_search_syntax(query, kind):
    assert search_parse(query).kind == kind


def test_masked_query_shows_no_more_than_the_mask():
    assert search_parse("320612198005170011").masked == "3206**********0011"
    assert search_parse("32061219800").masked == "3206*******"
    assert search_parse("1234 张三").masked == "张三 1234"


def test_registry_search_by_role(households, users, head):
    masked, full = users[Role.COMMUNITY_WORKER], users[Role.CASEWORKER]

    def found(user, query):
        return list(registry_search(person_list_for_user(user), query, user=user))

    for prefix in (head.id_number[:6], head.id_number[:10], head.id_number[:17], head.id_number[-4:]):
        assert found(masked, prefix) == [], prefix
    assert found(full, head.id_number[:17]) == [head]  # roles with full numbers keep prefix search
    for user in (masked, full):
        assert found(user, head.id_number) == [head]
        assert found(user, head.id_number.lower()) == [head]
        assert found(user, f"{head.name} {head.id_number[-4:]}") == [head]
        assert found(user, f"{head.id_number[-4:]} {head.name[0]}") == [head]
        assert found(user, f"李 {head.id_number[-4:]}") == []


def test_last4_search_uses_its_index(regions, users):
    from django.db import connection

    stems, branches = "甲乙丙丁戊己庚辛壬癸", "子丑寅卯辰巳午未申酉戌亥"
    Person.objects.bulk_create(
        Person(
            id_number=number,
            name=f"张{stems[n % 10]}{branches[n // 10 % 12]}",
            sex="M",
            birth_date=rules.parse_id_number(number).birth_date,
            hukou_region=regions["jinsha_1"],
            residence_region=regions["jinsha_1"],
        )
        for n, number in enumerate(
            {valid_id_number(birth=dt.date(1950, 1, 1) + dt.timedelta(days=d)) for d in range(4000)}
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE civil_affairs_person")
    target = Person.objects.order_by("pk")[1234]
    user = users[Role.COMMUNITY_WORKER]
    qs = registry_search(person_list_for_user(user), f"{target.name} {target.id_number[-4:]}", user=user)
    assert target in qs
    plan = qs.explain()
    assert "person_id_last4_name" in plan, plan


def test_api_answers_without_birth_date_and_with_the_city_only(households, users, head):
    head_row = lambda data: next(p for p in data["results"] if p["id"] == head.pk)  # noqa: E731
    expected_age = rules.age_on(head.birth_date, dt.date(2026, 3, 1))
    for who in (Role.COMMUNITY_WORKER, Role.AUDITOR):
        row = head_row(api(users[who]).get("/api/core/persons/").json())
        assert "birth_date" not in row and row["age"] == expected_age
        assert row["hukou_region"] == "320600000000"
        detail = api(users[who]).get(f"/api/core/persons/{head.pk}/").json()
        assert "birth_date" not in detail and detail["hukou_region"] == "320600000000"
        members = api(users[who]).get(f"/api/core/households/{households['ours'].pk}/").json()["members"]
        assert all("birth_date" not in m["person"] and m["person"]["hukou_region"] == "320600000000" for m in members)
    row = head_row(api(users[Role.CASEWORKER]).get("/api/core/persons/").json())
    assert row["birth_date"] == head.birth_date.isoformat() and row["age"] == expected_age
    assert row["hukou_region"] == head.hukou_region_id


def test_api_has_no_ordering_by_id_number(regions, users):
    for n in range(5):
        PersonFactory(hukou_region=regions["jinsha_1"], name=f"孙{n}")
    client = api(users[Role.COMMUNITY_WORKER])
    plain = [p["id"] for p in client.get("/api/core/persons/").json()["results"]]
    for param in ("ordering", "sort", "order_by"):
        assert [p["id"] for p in client.get("/api/core/persons/", {param: "id_number"}).json()["results"]] == plain


def test_each_search_by_id_number_leaves_one_audit_event(households, users, head):
    client = api(users[Role.AUDITOR])
    client.get("/api/core/persons/", {"q": head.id_number})
    client.get("/api/core/persons/", {"q": f"{head.name} {head.id_number[-4:]}"})
    client.get("/api/core/persons/", {"q": head.id_number[:10]})
    client.get("/api/core/persons/", {"q": head.name})  # not by ID number: no event
    events = AuditEvent.objects.filter(target_type=SEARCH).order_by("pk")
    assert [(e.action, e.actor_id, e.changes) for e in events] == [
        ("view", users[Role.AUDITOR].pk, {"query_kind": "id_exact", "masked": head.masked_id_number, "results": 1}),
        (
            "view",
            users[Role.AUDITOR].pk,
            {"query_kind": "id_last4", "masked": f"{head.name} {head.id_number[-4:]}", "results": 1},
        ),
        (
            "view",
            users[Role.AUDITOR].pk,
            {"query_kind": "id_prefix", "masked": head.id_number[:4] + "******", "results": 0},
        ),
    ]
    assert head.id_number[4:14] not in str(list(events.values_list("changes", flat=True)))
    # pages and their exports too, full roles as well: one event per request
    from django.test import Client

    page = Client()
    page.force_login(users[Role.CASEWORKER], backend="django.contrib.auth.backends.ModelBackend")
    page.get("/work/people/", {"q": head.id_number[:6]})
    page.get("/work/households/", {"q": head.id_number, "export": "xlsx"})
    mine = AuditEvent.objects.filter(target_type=SEARCH, actor=users[Role.CASEWORKER]).order_by("pk")
    in_street = person_list_for_user(users[Role.CASEWORKER]).filter(id_number__startswith=head.id_number[:6])
    assert [(e.changes["query_kind"], e.changes["results"]) for e in mine] == [
        ("id_prefix", in_street.count()),
        ("id_exact", 1),
    ]
    assert in_street.count() >= 2


def test_rate_limit_api_429_and_page_message(households, users, head, settings, login, same_minute):
    settings.SEARCH_RATE_PER_MINUTE = 3
    client = api(users[Role.COMMUNITY_WORKER])
    for _ in range(3):
        assert client.get("/api/core/persons/", {"q": head.id_number}).status_code == 200
    assert client.get("/api/core/persons/", {"q": head.name}).status_code == 200  # names are not counted
    response = client.get("/api/core/persons/", {"q": head.id_number})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert "按身份证号查询过于频繁" in response.json()["detail"]
    assert client.get("/api/core/households/", {"q": head.id_number}).status_code == 429  # one counter
    # the page (same user, same minute) says so and shows no rows
    page = login(users[Role.COMMUNITY_WORKER])
    response = page.get("/work/people/", {"q": head.id_number})
    assert response.status_code == 200
    assert "按身份证号查询过于频繁" in response.text and response.context["page"].items == []
    response = page.get("/work/households/", {"q": head.id_number}, HTTP_HX_REQUEST="true")
    assert "按身份证号查询过于频繁" in response.text and households["ours"].number not in response.text
    # another user has their own counter
    assert api(users[Role.AUDITOR]).get("/api/core/persons/", {"q": head.id_number}).status_code == 200
    assert AuditEvent.objects.filter(target_type=SEARCH, actor=users[Role.COMMUNITY_WORKER]).count() == 3


def test_digit_by_digit_attack_learns_nothing(households, users, head):
    """Growing prefixes, the right digit and four wrong ones at each of the hidden
    positions (5–17): every answer is the same empty page, right or wrong."""
    client = api(users[Role.COMMUNITY_WORKER])
    number, answers = head.id_number, set()
    for position in range(5, 17):
        right = number[position]
        for digit in [right] + [d for d in "0123456789" if d != right][:4]:
            response = client.get("/api/core/persons/", {"q": number[:position] + digit})
            answers.add((response.status_code, response.content))
    assert len(answers) == 1 and answers.pop()[0] == 200
    assert AuditEvent.objects.filter(target_type=SEARCH, changes__results=0).count() == 60


def test_attack_is_cut_off_by_the_rate_limit(households, users, head, settings, same_minute):
    settings.SEARCH_RATE_PER_MINUTE = 30
    client = api(users[Role.COMMUNITY_WORKER])
    statuses = [client.get("/api/core/persons/", {"q": head.id_number[: 6 + n % 12]}).status_code for n in range(60)]
    assert statuses == [200] * 30 + [429] * 30


def test_people_page_for_masked_roles_shows_age_and_no_id_sort(households, users, login, head):
    client = login(users[Role.COMMUNITY_WORKER])
    response = client.get("/work/people/", {"sort": "id_number"})
    assert response.context["page"].sort == "name"  # silently back to the default
    rows = client.get("/work/people/", HTTP_HX_REQUEST="true").text
    assert "sort=residence_region" in rows and "sort=id_number" not in rows and "sort=birth_date" not in rows
    assert head.birth_date.strftime("%Y-%m-%d") not in response.text
    assert "年龄" in response.text and "出生日期" not in response.text
    assert client.get("/work/people/", {"sort": "-birth_date"}).context["page"].sort == "name"
    # exact birth-date filters are not offered (they would find the day by bisection)
    assert "born_after" not in response.text
    everyone = {p.pk for p in client.get("/work/people/").context["page"].items}
    narrowed = {
        p.pk
        for p in client.get("/work/people/", {"born_after": head.birth_date, "born_before": head.birth_date})
        .context["page"]
        .items
    }
    assert narrowed == everyone
    # an ID prefix finds nobody, and the page says how to search
    response = client.get("/work/people/", {"q": head.id_number[:10]})
    assert response.context["page"].items == []
    assert 'data-testid="search-notice"' in response.text and "如：张三 1234" in response.text
    assert 'data-testid="search-notice"' not in client.get("/work/people/", {"q": head.name}).text
    # the caseworker keeps the ID and birth-date sorts
    full = login(users[Role.CASEWORKER]).get("/work/people/", {"sort": "id_number"})
    assert full.context["page"].sort == "id_number"
    assert "sort=birth_date" in full.text and "sort=-id_number" in full.text


def test_age_filters(households, users, login, head):
    client = login(users[Role.COMMUNITY_WORKER])
    age = rules.age_on(head.birth_date, dt.date(2026, 3, 1))
    assert head in client.get("/work/people/", {"age_min": age, "age_max": age}).context["page"].items
    assert head not in client.get("/work/people/", {"age_min": age + 1}).context["page"].items
    assert head not in client.get("/work/people/", {"age_max": age - 1}).context["page"].items


def test_people_export_gives_age_to_masked_roles(households, users, login, head):
    def sheet(user):
        response = login(user).get("/work/people/", {"export": "xlsx"})
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]

    rows = sheet(users[Role.AUDITOR])
    assert rows[0][3] == "年龄"
    row = next(r for r in rows[1:] if r[1] == head.name)
    assert row[3] == rules.age_on(head.birth_date, dt.date(2026, 3, 1))
    rows = sheet(users[Role.REVIEWER])
    assert rows[0][3] == "出生日期"
    assert next(r for r in rows[1:] if r[1] == head.name)[3].date() == head.birth_date


def test_relief_queue_finds_by_the_whole_id_only_limited_and_audited(
    households, users, login, head, settings, same_minute
):
    from decimal import Decimal

    from relief.services import applications as relief
    from relief.services.standards import standards_load_demo

    standards_load_demo(actor=None, region=households["ours"].region.parent.parent.parent)  # 南通市
    worker = users[Role.CASEWORKER]
    application = relief.application_create(
        actor=worker,
        household=households["ours"],
        kind="temporary",
        temporary_type="emergency",
        requested_amount=Decimal("1000"),
    )
    relief.application_details_update(
        actor=worker, application=application, authorised_verification=True, bank_account="6228480012345678901"
    )
    relief.application_submit(actor=worker, application=application)
    settings.SEARCH_RATE_PER_MINUTE = 2
    client = login(users[Role.COMMUNITY_WORKER])

    def found(query):
        return [a.pk for a in client.get("/work/relief/", {"q": query}).context["page"].items]

    assert found(head.id_number[:10]) == []  # no prefix search here either
    assert found(head.id_number) == found(head.id_number) == [application.pk]
    assert found(head.id_number) == []  # over the limit: the number matches nothing
    assert found(head.name) == [application.pk]
    events = AuditEvent.objects.filter(target_type=SEARCH, actor=users[Role.COMMUNITY_WORKER])
    assert [e.changes for e in events.order_by("pk")] == [
        {"query_kind": "id_exact", "masked": head.masked_id_number, "results": n} for n in (1, 1, 0)
    ]


def test_detail_pages_show_age_and_the_city_to_roles_without_full_numbers(client, households, users):
    """The person and household pages gave away digits 7–14 (the birth date) and,
    through the registered community, 5–6: the masked roles see age and the city."""
    household = households["ours"]
    member = household.members.select_related("person").order_by("id").first().person
    born = member.birth_date.strftime("%Y-%m-%d")
    for role, full in ((Role.COMMUNITY_WORKER, False), (Role.AUDITOR, False), (Role.CASEWORKER, True)):
        client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
        person_page = client.get(f"/work/people/{member.pk}/").content.decode()
        household_page = client.get(f"/work/households/{household.pk}/").content.decode()
        age = str(rules.age_on(member.birth_date, dt.date(2026, 3, 1)))
        if full:
            assert "金沙社区" in person_page and born in household_page
        else:
            assert born not in household_page and member.birth_date.strftime("%Y") not in person_page
            assert f'data-testid="age">{age}<' in person_page
            assert "南通市" in person_page and "金沙社区" not in person_page.split("户籍地", 1)[1].split("</dd>", 1)[0]
