"""API hardening: expiring knox tokens that rotate on login, axes lockout of API
logins, throttles per kind of caller, and the error codes in the OpenAPI schema."""

import datetime as dt

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from civil_affairs.models import AuditEvent, Role

PASSWORD = "Minzheng@2026"


def log_in(username, password=PASSWORD, path="/api/auth/login/"):
    return APIClient().post(path, {"username": username, "password": password}, format="json")


def with_token(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_login_issues_a_token_that_works_and_expires_in_eight_hours(users):
    response = log_in(str(Role.CASEWORKER))
    assert response.status_code == 200
    token = response.json()["token"]
    expiry = AuthToken.objects.get(user=users[Role.CASEWORKER]).expiry
    assert dt.timedelta(hours=7, minutes=59) < expiry - timezone.now() <= dt.timedelta(hours=8)
    assert with_token(token).get("/api/core/regions/").status_code == 200
    event = AuditEvent.objects.get(action="login", actor=users[Role.CASEWORKER])
    assert event.changes["api_token"] == token[:15] and event.changes["revoked"] == 0
    assert token not in str(event.changes)  # only the lookup prefix, never the secret


def test_an_expired_token_is_refused_and_removed(users):
    token = log_in(str(Role.CASEWORKER)).json()["token"]
    AuthToken.objects.filter(user=users[Role.CASEWORKER]).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = with_token(token).get("/api/core/regions/")
    assert response.status_code == 403 and response.json()["detail"]
    assert not AuthToken.objects.filter(user=users[Role.CASEWORKER]).exists()


def test_a_new_login_revokes_the_previous_token(users):
    first = log_in(str(Role.CASEWORKER)).json()["token"]
    second = log_in(str(Role.CASEWORKER), path="/api/auth/token/").json()["token"]  # the old route name works too
    assert with_token(first).get("/api/core/regions/").status_code == 403
    assert with_token(second).get("/api/core/regions/").status_code == 200
    assert AuthToken.objects.filter(user=users[Role.CASEWORKER]).count() == 1


def test_logout_kills_the_token_and_logoutall_every_token(users):
    token = log_in(str(Role.REVIEWER)).json()["token"]
    assert with_token(token).post("/api/auth/logout/").status_code == 204
    assert with_token(token).get("/api/core/regions/").status_code == 403
    assert AuditEvent.objects.filter(
        action="delete", actor=users[Role.REVIEWER], target_type="civil_affairs.user"
    ).exists()

    token = log_in(str(Role.REVIEWER)).json()["token"]
    AuthToken.objects.create(user=users[Role.REVIEWER])  # e.g. one made in the admin
    assert with_token(token).post("/api/auth/logoutall/").status_code == 204
    assert not AuthToken.objects.filter(user=users[Role.REVIEWER]).exists()


def test_wrong_passwords_on_the_api_lock_the_account_like_the_login_page(users, client):
    for _ in range(4):
        response = log_in(str(Role.AUDITOR), password="wrong")
        assert response.status_code == 400 and "用户名或密码错误" in response.json()["detail"]
    locked = log_in(str(Role.AUDITOR), password="wrong")  # the fifth failure locks
    assert locked.status_code == 429 and "锁定" in locked.json()["detail"]
    assert log_in(str(Role.AUDITOR)).status_code == 429  # even with the right password
    assert not AuthToken.objects.filter(user=users[Role.AUDITOR]).exists()
    # one counter for both doors: the login page is locked too
    page = client.post("/accounts/login/", {"username": str(Role.AUDITOR), "password": PASSWORD})
    assert page.status_code == 429 and "账号已被暂时锁定" in page.text


def test_the_61st_anonymous_request_in_a_minute_is_throttled(db):
    client = APIClient()
    statuses = [client.post("/api/auth/login/", {}, format="json").status_code for _ in range(61)]
    assert statuses[:60] == [400] * 60
    assert statuses[60] == 429
    response = client.post("/api/auth/login/", {}, format="json")
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60


def test_staff_are_not_throttled_at_the_anonymous_rate(users):
    client = APIClient()
    client.force_authenticate(users[Role.CASEWORKER])
    assert {client.get("/api/core/regions/").status_code for _ in range(61)} == {200}


def test_residents_and_staff_are_counted_at_their_own_rates(users, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "resident": "2/min", "staff": "3/min"},
    }
    resident, staff = APIClient(), APIClient()
    resident.force_authenticate(users[Role.RESIDENT])
    staff.force_authenticate(users[Role.REVIEWER])
    schema = "/api/schema/"  # open to any logged-in user
    assert [resident.get(schema).status_code for _ in range(3)] == [200, 200, 429]
    assert [staff.get(schema).status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.fixture
def schema(users):
    client = APIClient()
    client.force_authenticate(users[Role.CASEWORKER])
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_schema_documents_the_error_codes_of_every_operation(schema):
    operations = {(path, method): op for path, item in schema["paths"].items() for method, op in item.items()}
    assert len(operations) > 30
    for (path, method), op in operations.items():
        codes = set(op["responses"])
        assert "429" in codes, (path, method)
        if "{" in path:
            assert "404" in codes, (path, method)
        if path not in ("/api/auth/login/", "/api/auth/token/"):  # open to anyone
            assert {"401", "403"} <= codes, (path, method)
    approve = operations[("/api/relief/payroll/{id}/approve/", "post")]["responses"]
    assert approve["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationErrorDetail")
    assert approve["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorDetail")
    regions = operations[("/api/core/regions/", "get")]["responses"]
    assert {"400", "404"} <= set(regions)  # filters, and a stale cursor
    assert "400" not in operations[("/api/core/regions/{code}/", "get")]["responses"]
    # found by the contract fuzz: recheck answers 201 Created, the schema said 200
    assert "201" in operations[("/api/relief/benefits/{id}/recheck/", "post")]["responses"]
    login = operations[("/api/auth/login/", "post")]["responses"]
    assert set(login) == {"200", "400", "429"}  # open: no 401/403


def test_an_address_no_api_route_matches_answers_the_documented_json_404(users):
    client = APIClient()
    client.force_authenticate(users[Role.BUREAU_ADMIN])
    response = client.get("/api/relief/payroll/1.5/")  # found by the contract fuzz: was Django's HTML page
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"]
    token = AuthToken.objects.create(user=users[Role.CASEWORKER])[1]
    post = APIClient(enforce_csrf_checks=True)
    post.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = post.post("/api/relief/applications/0.5/accept/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert client.get("/api/core/regions")["Location"] == "/api/core/regions/"  # APPEND_SLASH still first


def test_a_view_that_declares_conflicts_documents_409(db):
    """No route answers 409 today; a view lists the actions that may in `conflict_actions`."""
    from django.urls import path
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.utils import extend_schema
    from rest_framework import serializers, viewsets
    from rest_framework.response import Response

    class Note(serializers.Serializer):
        text = serializers.CharField()

    class NoteViewSet(viewsets.ViewSet):
        conflict_actions = {"update"}

        @extend_schema(request=Note, responses=Note)
        def update(self, request, pk=None):
            return Response({})

        @extend_schema(responses=Note)
        def retrieve(self, request, pk=None):
            return Response({})

    view = NoteViewSet.as_view({"put": "update", "get": "retrieve"})
    schema = SchemaGenerator(patterns=[path("notes/<int:pk>/", view)]).get_schema(request=None, public=True)
    operations = schema["paths"]["/notes/{id}/"]
    assert "409" in operations["put"]["responses"] and "409" not in operations["get"]["responses"]
