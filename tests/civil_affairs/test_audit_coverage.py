"""Every full-record view leaves an audit event that names the record
(issue 10, finding 10).

The routes are not listed by hand: every URL pattern with a record in its
path (a `<pk>`-like kwarg) under /work/ and /api/ (every area's) is
found from the URL resolver, opened with GET by a user the permission
matrix allows, and must write a VIEW/DOWNLOAD/EXPORT event whose target is
that record.  Routes that are not full-record views are in NOT_RECORD_VIEWS
with the reason."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from civil_affairs.models import AuditEvent, Role
from tests.civil_affairs.test_permission_matrix import MATRIX, objects  # noqa: F401 - the matrix's fixture
from tests.matrix import area_not_record_views

PREFIXES = ("/work/", "/api/")  # every area's API as well
# The matrix's users that usually may open a record, tried in this order (staff bound to an
# institution or a charity last: the records of their own organisation).
READERS = [
    Role.CASEWORKER,
    Role.REVIEWER,
    Role.BUREAU_ADMIN,
    Role.AUDITOR,
    Role.COMMUNITY_WORKER,
    Role.INSTITUTION_STAFF,
    Role.CHARITY_STAFF,
]
AUDITED = {AuditEvent.Action.VIEW, AuditEvent.Action.DOWNLOAD, AuditEvent.Action.EXPORT}

NOT_RECORD_VIEWS = {
    # A batch run's progress page, polled by htmx every few seconds: counts and the
    # first row errors of an import; the full error file is an audited export (batch_errors).
    "workbench:batch_detail",
    # Bank files are exports, audited with their roll once the roll is approved (the
    # matrix's roll is not approved yet, so they redirect): see test_bank_files_are_audited.
    "relief:roll_bank_file",
    "relief:subsidy_roll_bank_file",
    # the same through the API (refused with 400 before approval; tests/relief/test_api.py: audited after)
    "api-relief:roll-bank-file",
    "api-relief:subsidy-roll-bank-file",
    # A blank sample file of a data-exchange feed: no record in it.
    "workbench:feed_sample",
    # Public reference data, not a person's record: an administrative region, a dated standard.
    "api-core:region-detail",
    "api-relief:standard-detail",
} | area_not_record_views()  # each area's own, with their reasons, in tests/<area>/matrix.py


def _record_routes(patterns, namespace="", prefix="/"):
    """Names of the routes under PREFIXES whose path names a record (any kwarg but the API's format suffix)."""
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # the admin's person page is tested below
            yield from _record_routes(
                p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace, prefix + str(p.pattern)
            )
        elif (
            isinstance(p, URLPattern)
            and p.name
            and set(p.pattern.regex.groupindex) - {"format"}
            and (prefix + str(p.pattern)).startswith(PREFIXES)
        ):
            yield f"{namespace}{p.name}"


def _detail_routes():
    """(name, path builder) of every GET route with a record under the walked prefixes;
    POST-only routes are actions, audited by their services as changes."""
    routes = []
    for name in sorted(set(_record_routes(get_resolver().url_patterns)) & set(MATRIX)):
        build, method, policy = MATRIX[name]
        if method == "get":
            routes.append((name, build, policy))
    return routes


DETAIL_ROUTES = _detail_routes()


def test_every_record_route_is_in_the_permission_matrix():
    """The matrix says how to open a route and who may: a route without an entry cannot be walked."""
    missing = set(_record_routes(get_resolver().url_patterns)) - set(MATRIX)
    assert not missing, f"add these to the permission matrix: {sorted(missing)}"


def test_the_walk_finds_the_detail_routes():
    names = {name for name, _build, _policy in DETAIL_ROUTES}
    assert {
        "workbench:person_detail",
        "relief:application_detail",
        "api-relief:application-detail",
        "api-core:household-detail",
        "relief:task_detail",
        "relief:subsidy_roll",
    } <= names
    assert not NOT_RECORD_VIEWS - names, "the allow-list names a route that is gone"


@pytest.mark.parametrize("name", [name for name, _b, _p in DETAIL_ROUTES if name not in NOT_RECORD_VIEWS])
def test_every_detail_route_records_who_saw_which_record(name, objects, users, client):  # noqa: F811
    _name, build, policy = next(route for route in DETAIL_ROUTES if route[0] == name)
    path = build(objects)
    reader = next((who for who in READERS if policy(who) == 200), None)
    assert reader is not None, f"{name}: no reader in the permission matrix"
    client.force_login(users[reader], backend="django.contrib.auth.backends.ModelBackend")
    record_id = str(resolve(path.split("?")[0]).kwargs["pk"])
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(path)
    assert response.status_code == 200, (name, response.status_code)
    events = AuditEvent.objects.filter(id__gt=before, action__in=AUDITED)
    assert [(e.target_id, e.actor_label) for e in events] == [(record_id, users[reader].username)], (
        name,
        list(events.values("action", "target_type", "target_id")),
    )


def test_the_admin_person_page_records_a_view(objects, users, client):  # noqa: F811
    person = objects["person"]
    client.force_login(users[Role.BUREAU_ADMIN], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(f"/admin/civil_affairs/person/{person.pk}/change/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="view", target_type="civil_affairs.person")
    assert event.target_id == str(person.pk) and event.changes == {"admin": True}
    assert event.region_code == person.residence_region_id
    # Saving the page is an update, not another view.
    assert AuditEvent.objects.filter(action="view").count() == 1


def test_bank_files_are_audited_with_their_roll(objects, users, client):  # noqa: F811
    from relief.models import PayrollRoll, PriceSubsidyRoll

    PayrollRoll.objects.filter(pk=objects["roll"].pk).update(status=PayrollRoll.Status.APPROVED)
    PriceSubsidyRoll.objects.filter(pk=objects["subsidy_roll"].pk).update(status=PriceSubsidyRoll.Status.APPROVED)
    client.force_login(users[Role.REVIEWER], backend="django.contrib.auth.backends.ModelBackend")
    for path, roll in (
        (f"/work/relief/payroll/{objects['roll'].pk}/bank.csv", objects["roll"]),
        (f"/work/relief/price-linkage/rolls/{objects['subsidy_roll'].pk}/bank.xlsx", objects["subsidy_roll"]),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        event = AuditEvent.objects.filter(action="export").latest("id")
        assert (event.target_type, event.target_id) == (roll._meta.label_lower, str(roll.pk))
        assert event.region_code == users[Role.REVIEWER].region_id


def test_household_economy_and_step_pages_name_their_page(objects, users, client):  # noqa: F811
    client.force_login(users[Role.CASEWORKER], backend="django.contrib.auth.backends.ModelBackend")
    client.get(f"/work/relief/households/{objects['household'].pk}/economy/")
    client.get(f"/work/relief/applications/{objects['application'].pk}/accept/")
    economy, step = AuditEvent.objects.filter(action="view").order_by("id")
    assert (economy.target_type, economy.changes) == ("civil_affairs.household", {"page": "relief_economy"})
    assert (step.target_type, step.changes) == ("relief.application", {"step": "accept"})
