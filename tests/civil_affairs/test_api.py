"""/api/core/: scoped like the pages, masked in lists, token and session auth."""

from knox.models import AuthToken
from rest_framework.test import APIClient

from civil_affairs.models import AuditEvent, Role


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


def test_person_list_is_scoped_and_masked(households, users):
    data = api_for(users[Role.CASEWORKER]).get("/api/core/persons/").json()
    names = {p["name"] for p in data["results"]}
    assert names == {"王建国", "李秀英", "赵居民"}  # not 陈志强 of 崇川区
    assert all("**********" in p["id_number"] for p in data["results"])
    assert "next" in data and "count" not in data  # keyset pages, no COUNT(*)


def test_person_detail_full_for_caseworker_and_audited(households, users):
    head = households["ours"].members.get(relation="head").person
    data = api_for(users[Role.CASEWORKER]).get(f"/api/core/persons/{head.pk}/").json()
    assert data["id_number"] == head.id_number
    assert AuditEvent.objects.filter(action="view", target_id=str(head.pk)).exists()
    masked = api_for(users[Role.AUDITOR]).get(f"/api/core/persons/{head.pk}/").json()
    assert masked["id_number"] == head.masked_id_number


def test_household_detail_has_members_and_other_street_gets_404(households, users):
    household = households["ours"]
    data = api_for(users[Role.REVIEWER]).get(f"/api/core/households/{household.pk}/").json()
    assert data["head_name"] == "王建国" and data["size"] == 2
    assert [m["relation"] for m in data["members"]] == ["head", "spouse"]
    assert api_for(users["other_caseworker"]).get(f"/api/core/households/{household.pk}/").status_code == 404


def test_search_and_filters(households, users):
    client = api_for(users[Role.BUREAU_ADMIN])
    assert [h["number"] for h in client.get("/api/core/households/", {"q": "陈志强"}).json()["results"]] == [
        households["theirs"].number
    ]
    regions = client.get("/api/core/regions/", {"level": 3}).json()["results"]
    assert [r["code"] for r in regions] == ["320612000000", "320613000000"]


def test_keyset_pagination_over_the_api(regions, users):
    from tests.factories import MemberFactory

    for _ in range(7):
        MemberFactory(household__region=regions["jinsha_1"])
    client = api_for(users[Role.CASEWORKER])
    seen, url = [], "/api/core/households/?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [h["id"] for h in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7


def test_token_is_issued_for_valid_credentials(users):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": str(Role.CASEWORKER), "password": "Minzheng@2026"})
    assert response.status_code == 200 and response.json()["token"] and response.json()["expiry"]


def test_schema_lists_the_core_routes(users):
    client = APIClient()
    client.force_authenticate(users[Role.CASEWORKER])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/core/persons/", "/api/core/households/{id}/", "/api/core/regions/{code}/"} <= set(schema["paths"])


def test_openapi_schema_generates_without_warnings(tmp_path):
    """Every route documents itself (choice sets named, serializers resolvable)."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    schema = out.read_text(encoding="utf-8")
    assert "/api/relief/tasks/{id}/resolve/" in schema and "/api/relief/price-linkage/{id}/approve/" in schema
