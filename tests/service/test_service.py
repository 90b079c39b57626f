"""The service experience on PostgreSQL: timeline, document numbers and the
decision letter, messages and their SMS, the forgotten password, ratings,
guides and large print."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civil_affairs import sms
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, Role
from civil_affairs.service import selectors, services
from civil_affairs.service.models import DocumentNumber, Message, Rating
from relief.services import applications as svc
from relief.services.payroll import payroll_approve, payroll_generate
from tests.relief.factories import TODAY, benefit_for, investigated, submitted


def _decided(family, staff, settings, *, grant=True, app=None):
    app = investigated(app or submitted(family, staff), staff)
    app = svc.application_propose(actor=staff["caseworker"], application=app, note="符合条件")
    if not grant:
        return svc.application_reject(actor=staff["reviewer"], application=app, reason="家庭财产超过规定")
    app = svc.application_notice_publish(actor=staff["caseworker"], application=app)
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    return svc.application_confirm(actor=staff["reviewer"], application=app, note="同意")


# ---------------------------------------------------------------- timeline


def test_timeline_lists_every_step_with_unit_and_masked_person_in_one_query(family, staff, settings):
    app = _decided(family, staff, settings)
    with CaptureQueriesContext(connection) as queries:
        steps = selectors.timeline(app, for_resident=True)
    assert len(queries) == 1
    assert [str(s.label) for s in steps] == [
        "填写申请",
        "提交申请",
        "受理",
        "入户调查",
        "提出审核意见",
        "张榜公示",
        "审批：准予救助",
    ]
    accept = steps[2]
    assert accept.person == f"{staff['caseworker'].first_name[0]}工作人员" and accept.unit == "金沙街道"
    staff_view = selectors.timeline(app)
    assert staff_view[2].person == staff["caseworker"].first_name


def test_case_pages_show_the_timeline_and_the_promised_date(family, staff, head_account, client, settings):
    app = investigated(submitted(family, staff), staff)
    client.force_login(head_account, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/my/relief/applications/{app.pk}/").content.decode()
    assert 'data-testid="timeline"' in page and "承诺办结日期：2026-12-14" in page
    assert "金沙街道" in page and staff["caseworker"].first_name not in page.split('data-testid="timeline"')[1]
    assert f"/my/service/relief/{app.pk}/print/receipt/" in page  # accepted: the receipt
    client.force_login(staff["caseworker"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/work/relief/applications/{app.pk}/").content.decode()
    assert "流转记录" in page and f"/work/service/relief/{app.pk}/print/investigation/" in page


# ---------------------------------------------------------------- documents


def test_decision_letter_is_numbered_once_per_district_and_year(family, staff, head_account, client, settings):
    app = _decided(family, staff, settings, grant=False)
    client.force_login(head_account, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/my/service/relief/{app.pk}/print/decision/"
    page = client.get(url).content.decode()
    assert "通民救〔2026〕第1号" in page and "家庭财产超过规定" in page
    # reconsideration within 60 days, litigation within 6 months of 2026-11-02
    assert "2027年1月1日" in page and "2027年5月2日" in page and "12345" in page
    client.get(url)
    assert DocumentNumber.objects.count() == 1  # kept, not numbered again
    other = DocumentNumber.objects.get()
    assert (
        services.document_number(
            series=other.series, prefix="通民救", kind="relief_decision", target=family, year=2026
        ).sequence
        == 2
    )  # the next case of the district


def test_document_numbers_are_per_series_and_year(family, regions):
    first = services.document_number(series="a", prefix="通民救", kind="k", target=family, year=2026)
    again = services.document_number(series="a", prefix="通民救", kind="k", target=family, year=2026)
    other_region = services.document_number(series="a", prefix="通民救", kind="k", target=regions["city"], year=2026)
    next_year = services.document_number(series="a", prefix="通民救", kind="k2", target=family, year=2027)
    assert (first.pk, first.sequence) == (again.pk, 1)
    assert other_region.sequence == 2 and next_year.sequence == 1
    assert str(first) == "通民救〔2026〕第1号"


def test_residents_print_only_their_documents(family, staff, head_account, users, client):
    app = submitted(family, staff)
    client.force_login(head_account, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/my/service/relief/{app.pk}/print/receipt/").status_code == 404  # not accepted yet
    assert client.get(f"/my/service/relief/{app.pk}/print/investigation/").status_code == 404  # staff's form
    svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS[app.kind]}
    )
    page = client.get(f"/my/service/relief/{app.pk}/print/receipt/").content.decode()
    assert "受理回执" in page and app.number in page and "2026年12月14日" in page
    client.force_login(users[Role.RESIDENT], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/my/service/relief/{app.pk}/print/receipt/").status_code == 404  # someone else's case
    client.force_login(staff["caseworker"], backend="django.contrib.auth.backends.ModelBackend")
    for doc in ("receipt", "investigation", "approval"):
        response = client.get(f"/work/service/relief/{app.pk}/print/{doc}/")
        assert response.status_code == 200, doc
    assert AuditEvent.objects.filter(
        actor=staff["caseworker"], action="view", target_type="relief.application", changes__printed="approval"
    ).exists()


# ---------------------------------------------------------------- messages


def test_transitions_message_the_resident_and_text_after_commit(
    family, staff, head_account, client, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "civil_affairs.sms.LocmemBackend"
    sms.outbox.clear()
    app = submitted(family, staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        svc.application_accept(
            actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS[app.kind]}
        )
    message = Message.objects.get(recipient=head_account)
    assert message.title.startswith("您的申请已受理") and message.link == f"/my/relief/applications/{app.pk}/"
    assert sms.outbox == [] and len(callbacks) == 1  # nothing texted inside the transaction
    # the queued task's body: the resident with a phone gets the text
    assert services.messages_texted(message_ids=[message.pk]) == 1
    assert sms.outbox[-1].phone == "13800000009" and "您的申请已受理" in sms.outbox[-1].message
    client.force_login(head_account, backend="django.contrib.auth.backends.ModelBackend")
    assert 'data-testid="unread-count">1' in client.get("/my/relief/").content.decode()
    page = client.get("/messages/").content.decode()
    assert "您的申请已受理" in page
    message.refresh_from_db()
    assert message.read_at is not None
    assert 'data-testid="unread-count"' not in client.get("/my/relief/").content.decode()


def test_co_visitor_is_asked_to_confirm(family, staff):
    app = submitted(family, staff)
    svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS[app.kind]}
    )
    svc.application_visit_record(
        actor=staff["caseworker"],
        application=app,
        second_visitor=staff["colleague"],
        visited_on=TODAY,
        living_conditions="两居室",
        findings="属实",
    )
    message = Message.objects.get(recipient=staff["colleague"])
    assert app.number in message.title and message.link == "/work/relief/tasks/"


def test_approved_roll_messages_every_recipient_with_an_account_in_one_statement(family, staff, head_account, regions):
    benefit_for(family)
    payroll_generate(month=dt.date(2026, 11, 1))
    from relief.models import PayrollRoll

    roll = PayrollRoll.objects.get()
    with CaptureQueriesContext(connection) as queries:
        payroll_approve(actor=staff["reviewer"], roll=roll)
    inserts = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('INSERT INTO "service_message"') or q["sql"].startswith("INSERT INTO service_message")
    ]
    assert len(inserts) == 1 and "SELECT" in inserts[0]
    message = Message.objects.get(recipient=head_account)
    assert "2026-11" in message.title and "780.00" in message.body


# ---------------------------------------------------------------- forgotten password


def test_forgot_password_sets_a_new_password_and_is_neutral(
    head_account, client, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "civil_affairs.sms.LocmemBackend"
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/password/forgot/", {"phone": "13800000009"}, follow=True).content.decode()
    code = sms.outbox[-1].message.split("验证码 ")[1][:6]
    client.session.flush()
    unknown = client.post("/password/forgot/", {"phone": "13800000777"}, follow=True).content.decode()
    sent = str(services.RESET_CODE_SENT)
    assert sent in known and sent in unknown and len(sms.outbox) == 1  # same words, no text to a stranger
    # back to the resident's reset: a wrong code counts, the right one sets the password
    client.post("/password/forgot/", {"phone": "13800000009"})  # within the resend wait: no new code, same page
    bad = client.post(
        "/password/forgot/code/", {"code": "000000", "password": "Xinmima#2027", "password_again": "Xinmima#2027"}
    )
    assert "验证码错误" in bad.content.decode() or "还可再试" in bad.content.decode()
    response = client.post(
        "/password/forgot/code/", {"code": code, "password": "Xinmima#2027", "password_again": "Xinmima#2027"}
    )
    assert response.status_code == 302 and response.url == "/accounts/login/"
    head_account.refresh_from_db()
    assert head_account.check_password("Xinmima#2027")
    assert AuditEvent.objects.filter(
        target_type="civil_affairs.user", target_id=str(head_account.pk), changes__password="reset by SMS code"
    ).exists()


# ---------------------------------------------------------------- ratings


def test_rating_after_the_case_ends_once_and_by_street(family, staff, head_account, users, client, settings):
    app = submitted(family, staff)
    client.force_login(head_account, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/my/service/relief/{app.pk}/rate/"
    client.post(url, {"score": "5"})
    assert not Rating.objects.exists()  # still open
    app = _decided(family, staff, settings, app=app)
    page = client.get(f"/my/relief/applications/{app.pk}/").content.decode()
    assert 'data-testid="rating"' in page
    client.post(url, {"score": "4", "comment": "办事快"})
    client.post(url, {"score": "1"})
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.street_code) == (4, "办事快", "320612001000")
    client.force_login(users[Role.BUREAU_ADMIN], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/work/service/ratings/")
    assert response.context["rows"] == [{"code": "320612001000", "name": "金沙街道", "count": 1, "average": 4.0}]
    assert 'id="ratings-data"' in response.content.decode()
    with pytest.raises(DomainError):
        services.rating_submit(
            actor=head_account, area="relief", target=selectors.rating_target("relief", head_account, app.pk), score=9
        )


# ---------------------------------------------------------------- guides and large print


def test_guides_show_the_standards_in_force_and_the_authorisation_template(relief_standards, client):
    index = client.get("/").content.decode()
    assert "/guide/relief/" in index
    page = client.get("/guide/relief/dibao/").content.decode()
    assert "每人每月 780.00 元" in page and "核对授权书" in page and "不收费" in page
    assert "30个工作日" in page, page[page.find("办理时限") :][:300]
    assert "/guide/relief/dibao/materials/3/" in page
    assert "家庭经济状况核对授权书" in client.get("/guide/relief/dibao/materials/3/").content.decode()
    assert client.get("/guide/relief/dibao/materials/0/").status_code == 404  # 身份证件: no template
    assert client.get("/guide/relief/nothing/").status_code == 404
    assert client.get("/guide/nowhere/").status_code == 404
    for key in ("tekun", "temporary"):
        assert client.get(f"/guide/relief/{key}/").status_code == 200


def test_apply_start_links_the_guides(relief_standards, users, client):
    client.force_login(users[Role.RESIDENT], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/my/relief/apply/").content.decode()
    assert "/guide/relief/dibao/" in page and "/guide/relief/temporary/" in page


def test_portal_has_the_large_print_toggle_without_inline_script(client):
    page = client.get("/").content.decode()
    assert "data-large-print-toggle" in page and "js/large_print.js" in page and "css/large_print.css" in page
    assert "<script>" not in page and " style=" not in page


def test_staff_password_is_reset_by_an_administrator_in_the_admin(users, client):
    """Staff have no self-service reset: the bureau administrator sets a new
    password with the admin's password form."""
    worker = users[Role.CASEWORKER]
    client.force_login(users[Role.BUREAU_ADMIN], backend="django.contrib.auth.backends.ModelBackend")
    url = f"/admin/civil_affairs/user/{worker.pk}/password/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"password1": "Xin#Mima2027", "password2": "Xin#Mima2027", "usable_password": "true"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.check_password("Xin#Mima2027")
    from civil_affairs.models import AuditEvent

    event = AuditEvent.objects.get(target_type="civil_affairs.user", target_id=str(worker.pk), action="update")
    assert event.actor == users[Role.BUREAU_ADMIN] and event.changes == {"admin": True, "password": "reset"}
    assert "Xin#Mima2027" not in str(event.changes)
