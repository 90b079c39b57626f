"""Walks every URL and API route with every role and checks who sees what.

The table below is the policy, written out by hand: a new route fails
`test_every_route_is_in_the_matrix` until someone decides who may use it.
It holds the core's routes; each policy area supplies the rows of its own
routes in its tests' matrix.py (collected by tests/matrix.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from civil_affairs import services
from civil_affairs.areas import registered
from civil_affairs.models import Role
from tests.factories import pdf_bytes
from tests.matrix import ANON, EVERYONE, IN_JURISDICTION, REGISTRY, STAFF, area_objects, area_rows, expect

# the areas that list a resident's applications
_MY_APPLICATIONS = [area.key for area in registered() if area.my_applications_url_name]

BATCH = {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, "other_caseworker"}
# The batch run was started by the 金沙 caseworker: visible within 金沙's ancestors only.
BATCH_IN_JURISDICTION = {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR}


OVERVIEW = {Role.BUREAU_ADMIN, Role.AUDITOR, Role.REVIEWER}


# url name → (path builder, method, status per user)
CORE_ROWS = {
    "portal:index": (lambda o: "/", "get", lambda who: 200),
    "portal:register": (lambda o: "/register/", "get", lambda who: 200 if who == ANON else 302),
    # step two of registration: without a registration waiting for its code, back to step one (or home)
    "portal:register_code": (lambda o: "/register/code/", "get", lambda who: 302),
    # the "待核验" page: the fixtures' resident is verified, so it is sent on to its household
    "portal:pending": (lambda o: "/my/pending/", "get", expect({Role.RESIDENT}, ok_status=302)),
    "portal:household": (lambda o: "/my/household/", "get", expect({Role.RESIDENT})),
    # the core page hands over to the areas' application lists
    # one area with "my applications": a redirect to its list; several: a page linking each
    "portal:applications": (
        lambda o: "/my/applications/",
        "get",
        expect({Role.RESIDENT}, ok_status=302 if len(_MY_APPLICATIONS) == 1 else 200),
    ),
    "login": (lambda o: "/accounts/login/", "get", lambda who: 200 if who == ANON else 302),
    "logout": (lambda o: "/accounts/logout/", "post", lambda who: 302),
    "home": (lambda o: "/home/", "get", lambda who: 302),
    "set_language": (lambda o: "/i18n/setlang/", "post", lambda who: 302),
    "javascript-catalog": (lambda o: "/jsi18n/", "get", lambda who: 200),
    "healthz": (lambda o: "/healthz", "get", lambda who: 200),
    "workbench:index": (lambda o: "/work/", "get", expect(set(STAFF))),
    "workbench:people": (lambda o: "/work/people/", "get", expect(REGISTRY)),
    "workbench:person_detail": (
        lambda o: f"/work/people/{o['person'].pk}/",
        "get",
        expect(IN_JURISDICTION, out_of_scope=REGISTRY),
    ),
    # in-person verification of a resident account: the street's caseworker and the bureau (302 back to the
    # person, here with "no account" as the head has none); other streets 404; everyone else 403
    "workbench:resident_verify": (
        lambda o: f"/work/people/{o['person'].pk}/verify-resident/",
        "post",
        expect({Role.CASEWORKER, Role.BUREAU_ADMIN}, ok_status=302, out_of_scope={"other_caseworker"}),
    ),
    # a caseworker records a death (registry_edit): an empty POST is sent back to the person with the form's
    # message (302); other streets 404; everyone else 403
    "workbench:person_death": (
        lambda o: f"/work/people/{o['person'].pk}/death/",
        "post",
        expect({Role.CASEWORKER, Role.BUREAU_ADMIN}, ok_status=302, out_of_scope={"other_caseworker"}),
    ),
    "workbench:households": (lambda o: "/work/households/", "get", expect(REGISTRY)),
    "workbench:region_suggest": (lambda o: "/work/regions/suggest/?region=金沙", "get", expect(REGISTRY)),
    "workbench:household_detail": (
        lambda o: f"/work/households/{o['household'].pk}/",
        "get",
        expect(IN_JURISDICTION, out_of_scope=REGISTRY),
    ),
    "workbench:document_download": (
        lambda o: f"/work/documents/{o['document'].pk}/",
        "get",
        lambda who: {ANON: 302}.get(who, 200 if who in IN_JURISDICTION else 404),
    ),
    "workbench:import": (
        lambda o: "/work/import/",
        "get",
        expect({Role.CASEWORKER, Role.BUREAU_ADMIN, "other_caseworker"}),
    ),
    # data-exchange feeds (civil_affairs/feeds.py): city-wide data, the bureau only
    "workbench:feeds": (lambda o: "/work/feeds/", "get", expect({Role.BUREAU_ADMIN})),
    "workbench:feed_sample": (lambda o: "/work/feeds/sample/death.csv", "get", expect({Role.BUREAU_ADMIN})),
    "workbench:batches": (lambda o: "/work/batches/", "get", expect(BATCH)),
    "workbench:batch_detail": (
        lambda o: f"/work/batches/{o['run'].pk}/",
        "get",
        expect(BATCH_IN_JURISDICTION, out_of_scope=BATCH),
    ),
    "workbench:batch_errors": (
        lambda o: f"/work/batches/{o['run'].pk}/errors.csv",
        "get",
        expect(BATCH_IN_JURISDICTION, out_of_scope=BATCH),
    ),
    # POST: a succeeded run is not retried (302 back with a message); others are refused.
    "workbench:batch_retry": (
        lambda o: f"/work/batches/{o['run'].pk}/retry/",
        "post",
        lambda who: {ANON: 302, Role.CASEWORKER: 302, Role.BUREAU_ADMIN: 302, "other_caseworker": 404}.get(who, 403),
    ),
    "workbench:audit": (lambda o: "/work/audit/", "get", expect({Role.BUREAU_ADMIN, Role.AUDITOR})),
    # the bureau overview (民政一张图) and its Excel export: the bureau, the auditor, reviewers (their district)
    "workbench:overview": (lambda o: "/work/overview/", "get", expect(OVERVIEW)),
    "workbench:overview_export": (lambda o: "/work/overview/export.xlsx", "get", expect(OVERVIEW)),
    "api-core:api-root": (lambda o: "/api/core/", "get", expect(REGISTRY, anon=403)),
    "api-core:region-list": (lambda o: "/api/core/regions/", "get", expect(REGISTRY, anon=403)),
    "api-core:region-detail": (
        lambda o: "/api/core/regions/320612001001/",
        "get",
        expect(IN_JURISDICTION, anon=403, out_of_scope=REGISTRY),
    ),
    "api-core:person-list": (lambda o: "/api/core/persons/", "get", expect(REGISTRY, anon=403)),
    "api-core:person-detail": (
        lambda o: f"/api/core/persons/{o['person'].pk}/",
        "get",
        expect(IN_JURISDICTION, anon=403, out_of_scope=REGISTRY),
    ),
    "api-core:household-list": (lambda o: "/api/core/households/", "get", expect(REGISTRY, anon=403)),
    "api-core:household-detail": (
        lambda o: f"/api/core/households/{o['household'].pk}/",
        "get",
        expect(IN_JURISDICTION, anon=403, out_of_scope=REGISTRY),
    ),
    # API login: open to all, an empty POST is the 400 of missing credentials; logout needs a token, not a session
    "api-token": (lambda o: "/api/auth/token/", "post", lambda who: 400),
    "api-login": (lambda o: "/api/auth/login/", "post", lambda who: 400),
    "api-logout": (lambda o: "/api/auth/logout/", "post", lambda who: 401),
    "api-logoutall": (lambda o: "/api/auth/logoutall/", "post", lambda who: 401),
    "api-schema": (lambda o: "/api/schema/", "get", lambda who: 403 if who == ANON else 200),
    "api-docs": (lambda o: "/api/docs/", "get", lambda who: 403 if who == ANON else 200),
}
# Every route walked: the core's rows and each area's own (tests/<area>/matrix.py).
MATRIX = {**CORE_ROWS, **area_rows()}
# Format-suffix twins of API routes (…/regions.json) share their twin's policy.
IGNORED_NAMESPACES = {"admin"}  # walked separately below


def _route_names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if p.namespace in IGNORED_NAMESPACES:
                continue
            yield from _route_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_every_route_is_in_the_matrix():
    names = set(_route_names(get_resolver().url_patterns))
    missing = names - set(MATRIX)
    assert not missing, f"routes without a permission policy: {sorted(missing)}"


@pytest.fixture
def objects(households, users):
    household = households["ours"]
    document = services.document_upload(
        actor=users[Role.CASEWORKER],
        household=household,
        kind="other",
        uploaded=SimpleUploadedFile("a.pdf", pdf_bytes()),
    )
    run = services.batchrun_create(kind="import_person", params={}, user=users[Role.CASEWORKER])
    core = {
        "household": household,
        "person": household.members.get(relation="head").person,
        "document": document,
        "run": run,
    }
    return {**core, **area_objects(core, users)}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route_permissions_for_every_role(name, objects, users, client):
    build, method, status_for = MATRIX[name]
    path = build(objects)
    got = {}
    for who in EVERYONE:
        client.logout()
        if who != ANON:
            client.force_login(users[who], backend="django.contrib.auth.backends.ModelBackend")
        response = getattr(client, method)(path)
        got[who] = response.status_code
    wanted = {who: status_for(who) for who in EVERYONE}
    assert got == wanted


def test_admin_site_is_for_the_bureau_administrator_only(objects, users, client):
    from django.contrib import admin

    paths = ["/admin/"] + [f"/admin/{m._meta.app_label}/{m._meta.model_name}/" for m in admin.site._registry]
    for who in EVERYONE:
        client.logout()
        if who != ANON:
            client.force_login(users[who], backend="django.contrib.auth.backends.ModelBackend")
        for path in paths:
            status = client.get(path).status_code
            assert status == (200 if who == Role.BUREAU_ADMIN else 302), (who, path, status)


def test_admin_changes_are_audited(regions, users, client):
    from civil_affairs.models import AuditEvent

    client.force_login(users[Role.BUREAU_ADMIN], backend="django.contrib.auth.backends.ModelBackend")
    region = regions["jinsha_1"]
    response = client.post(
        f"/admin/civil_affairs/region/{region.pk}/change/",
        {"code": region.code, "name": "金沙新社区", "parent": region.parent_id, "is_urban": "on"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="update", target_type="civil_affairs.region", target_id=region.code)
    assert event.changes == {"admin": True, "name": "金沙新社区"}


def test_admin_audit_keeps_id_numbers_masked(regions, users, client):
    import datetime as dt

    from civil_affairs import rules
    from civil_affairs.models import AuditEvent, Person

    client.force_login(users[Role.BUREAU_ADMIN], backend="django.contrib.auth.backends.ModelBackend")
    number = rules.make_id_number("320612", dt.date(1960, 3, 5), 17)
    response = client.post(
        "/admin/civil_affairs/person/add/",
        {
            "id_number": number,
            "name": "王建国",
            "hukou_region": regions["jinsha_1"].code,
            "residence_region": regions["jinsha_1"].code,
            "phone": "",
            "disability_grade": 0,
            "disability_type": "",
            "labour_capacity": "full",
            "death_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(id_number=number)
    event = AuditEvent.objects.get(action="create", target_type="civil_affairs.person", target_id=str(person.pk))
    assert event.changes["id_number"] == rules.mask_id_number(number) == f"{number[:4]}{'*' * 10}{number[-4:]}"
    assert number not in str(event.changes)


# Roles that see whole ID numbers (the capability full_id_number); the 文峰 caseworker is one, out of scope here.
FULL_ID = {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, "other_caseworker"}


def test_unmasking_attempts_for_every_role(objects, users, client, settings):
    """Every role tries to recover the 金沙 head's ID number: prefixes of 6..17 digits
    in the API and on the people page, sorting by ID number, the last four without a
    name.  The whole number is allowed (and audited); the API's fields give away no
    more than the mask for roles without full numbers."""
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from civil_affairs.models import AuditEvent

    settings.SEARCH_RATE_PER_MINUTE = 1000  # the limit has its own tests
    cache.clear()
    person = objects["person"]
    number = person.id_number
    for who in [Role.RESIDENT, *STAFF]:
        user, full, in_scope = users[who], who in FULL_ID, who in IN_JURISDICTION
        api = APIClient()
        api.force_authenticate(user)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

        def api_ids(query, api=api):
            response = api.get("/api/core/persons/", {"q": query})
            return {p["id"] for p in response.json()["results"]} if response.status_code == 200 else None

        def page_ids(query):
            response = client.get("/work/people/", {"q": query})
            return {p.pk for p in response.context["page"].items} if response.status_code == 200 else None

        if who not in REGISTRY:
            assert api_ids(number) is None and page_ids(number) is None, who  # 403: no registry at all
            assert client.get("/work/people/", {"sort": "id_number"}).status_code == 403
            continue
        for length in range(6, 18):
            for ids in (api_ids(number[:length]), page_ids(number[:length])):
                assert (person.pk in ids) == (full and in_scope), (who, length)
                assert full or ids == set(), (who, length)
        sort = client.get("/work/people/", {"sort": "id_number"}).context["page"].sort
        assert sort == ("id_number" if full else "name"), who
        assert person.pk not in api_ids(number[-4:]) and person.pk not in page_ids(number[-4:])
        assert full or api_ids(number[-4:]) == set()
        # the whole number: found within the jurisdiction, and every such search audited
        assert api_ids(number) == page_ids(number) == ({person.pk} if in_scope else set()), who
        exact = AuditEvent.objects.filter(
            actor=user, target_type="civil_affairs.person_search", changes__query_kind="id_exact"
        )
        assert [e.changes["results"] for e in exact] == [int(in_scope)] * 2, who
        if in_scope:
            data = api.get(f"/api/core/persons/{person.pk}/").json()
            if full:
                assert data["birth_date"] == person.birth_date.isoformat(), who
                assert data["hukou_region"] == person.hukou_region_id == "320612001001"
            else:
                assert "birth_date" not in data and data["hukou_region"] == "320600000000", who
                assert data["id_number"] == person.masked_id_number
