"""The caseworkers' and reviewers' relief pages with the Django test client:
each step page drives its service, errors come back inline in Chinese, the
notice masks names, and lists stay within a fixed number of queries."""

import datetime as dt

import pytest

from civil_affairs.models import Role
from relief.models import Application, Benefit
from relief.services import applications as svc
from tests.relief.factories import investigated, submitted


def _post(client, app, step, data):
    return client.post(f"/work/relief/applications/{app.pk}/{step}/", data)


def test_caseworker_and_reviewer_walk_the_steps(family, staff, login, settings):
    worker = login(staff["caseworker"])
    response = worker.post("/work/relief/applications/new/", {"household_number": family.number, "kind": "dibao"})
    app = Application.objects.get(household=family)
    assert response.status_code == 302 and response["Location"].endswith(f"/{app.pk}/submit/")
    # Missing bank account and authorisation: the page says so and keeps the input.
    response = _post(worker, app, "submit", {"reason": "失业", "bank_name": "农业银行"})
    assert response.status_code == 200 and "请签署家庭经济状况核对授权" in response.content.decode()
    assert 'value="农业银行"' in response.content.decode()
    _post(
        worker,
        app,
        "submit",
        {
            "reason": "失业",
            "bank_name": "农业银行",
            "bank_account": "6228480012345678901",
            "authorised_verification": "on",
        },
    )
    docs = {f"doc_{k}": "on" for k in svc.REQUIRED_DOCUMENTS["dibao"]}
    assert _post(worker, app, "accept", docs).status_code == 302
    page = worker.get(f"/work/relief/applications/{app.pk}/visit/").content.decode()
    assert "陈同事（金沙街道）" in page and "colleague" not in page  # by name and street, not login name
    assert (
        _post(
            worker,
            app,
            "visit",
            {
                "visited_on": "2026-11-02",
                "second_visitor": staff["colleague"].pk,
                "living_conditions": "简陋",
                "findings": "属实",
            },
        ).status_code
        == 302
    )
    colleague = login(staff["colleague"])
    assert colleague.post(f"/work/relief/visits/{app.visits.get().pk}/confirm/").status_code == 302
    worker = login(staff["caseworker"])
    preview = worker.get(f"/work/relief/applications/{app.pk}/propose/").content.decode()
    assert "¥320.00" in preview and "¥1,380.00" in preview
    assert _post(worker, app, "propose", {"note": "符合"}).status_code == 302
    assert _post(worker, app, "notice", {}).status_code == 302
    notice = worker.get("/work/relief/notice/?region=320612001001").content.decode()
    assert "王*" in notice and "王一" not in notice and family.members.first().person.id_number not in notice
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    refused = _post(worker, app, "confirm", {"note": ""})
    assert refused.status_code == 200 and "不得审批" in refused.content.decode()
    reviewer = login(staff["reviewer"])
    assert reviewer.get(f"/work/relief/applications/{app.pk}/confirm/").status_code == 200
    assert _post(reviewer, app, "confirm", {"note": "同意"}).status_code == 302
    app.refresh_from_db()
    assert app.state == "confirmed"
    benefit = Benefit.objects.get(application=app)
    assert reviewer.get(f"/work/relief/benefits/{benefit.pk}/").status_code == 200


def test_a_step_in_the_wrong_state_is_refused_inline(family, staff, login):
    app = submitted(family, staff)
    response = _post(login(staff["caseworker"]), app, "notice", {})
    assert response.status_code == 200 and "不能进行此操作" in response.content.decode()


def test_community_worker_reads_but_cannot_act(family, staff, users, login):
    app = submitted(family, staff)
    client = login(users[Role.COMMUNITY_WORKER])
    assert client.get(f"/work/relief/applications/{app.pk}/").status_code == 200
    assert _post(client, app, "accept", {}).status_code == 403


def test_queue_flags_overdue_cases(family, staff, login, settings):
    app = investigated(submitted(family, staff), staff)
    settings.MINZHENG_TODAY = app.deadline + dt.timedelta(days=3)
    page = login(staff["caseworker"]).get("/work/relief/?overdue=on").content.decode()
    assert app.number in page and "超期" in page


def test_queue_and_benefit_list_query_counts(family, staff, login, django_assert_max_num_queries):
    submitted(family, staff)
    client = login(staff["caseworker"])
    with django_assert_max_num_queries(14):
        assert client.get("/work/relief/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/work/relief/benefits/").status_code == 200


def test_household_economy_shows_the_working(family, staff, login):
    page = login(staff["caseworker"]).get(f"/work/relief/households/{family.pk}/economy/").content.decode()
    assert "¥14,400.00" in page and "¥320.00" in page and "¥1,380.00" in page


@pytest.mark.parametrize("fmt", ["xlsx"])
def test_queue_export_is_recorded(family, staff, login, fmt):
    from civil_affairs.models import AuditEvent

    submitted(family, staff)
    response = login(staff["caseworker"]).get(f"/work/relief/?export={fmt}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEvent.objects.filter(action="export", target_type="relief.application").exists()
