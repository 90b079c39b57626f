"""The audit log in words (issue 12 item 7): object types by name, links to the
records the viewer may open, changes as "field: old → new", the type filter a
choice list of the types present, and the Excel export in the same words."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from civil_affairs import audit_words
from civil_affairs.areas import Area
from civil_affairs.models import AuditEvent, Role
from civil_affairs.services import audit_record
from relief.services import applications as svc
from tests.relief.factories import submitted


@pytest.fixture
def accepted(family, staff):
    app = submitted(family, staff)
    return svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS[app.kind]}
    )


def _row(response, target_type):
    """The rendered table row of the first event of `target_type`."""
    for event in response.context["page"].items:
        if event.target_type == target_type:
            return event
    raise AssertionError(f"no {target_type} event on the page")


def test_events_show_type_names_links_and_changes_in_words(accepted, users, login):
    client = login(users[Role.AUDITOR])
    response = client.get("/work/audit/", {"target_type": "relief.application"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "relief.application#" not in html and "{&#x27;step&#x27;" not in html and "{'step'" not in html
    event = _row(response, "relief.application")
    assert event.words.type_label == "救助申请"
    assert event.words.url == f"/work/relief/applications/{accepted.pk}/"
    assert f'href="/work/relief/applications/{accepted.pk}/"' in html
    accept = next(e for e in response.context["page"].items if e.changes.get("step") == "accept")
    assert "步骤：受理" in accept.words.changes
    assert "状态：已提交 → 已受理" in accept.words.changes
    assert "步骤：受理" in html and "已提交 → 已受理" in html


def test_no_link_where_the_viewers_role_may_not_open_the_page(households, users, login, extra_area):
    # a throw-away area links regions to the import page, which auditors may not open
    extra_area(Area(key="linktest", label="链接测试", audit_links={"civil_affairs.region": "workbench:import"}))
    person = households["ours"].members.get(relation="head").person
    audit_record(actor=users[Role.CASEWORKER], action=AuditEvent.Action.VIEW, target=person)
    audit_record(
        actor=users[Role.CASEWORKER],
        action=AuditEvent.Action.UPDATE,
        target=person.residence_region,
        region_code=person.residence_region_id,
    )
    audit_record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        target_type="elsewhere.thing",
        target_id="7",
        region_code="320612001001",
        changes={"colour": ["red", "blue"]},
    )
    response = login(users[Role.AUDITOR]).get("/work/audit/")
    region_event, person_event = _row(response, "civil_affairs.region"), _row(response, "civil_affairs.person")
    assert region_event.words.url is None and region_event.words.type_label == "行政区划"
    assert person_event.words.url == f"/work/people/{person.pk}/"
    admin_view = audit_words.event_words(users[Role.BUREAU_ADMIN], region_event)
    assert admin_view.url == "/work/import/"  # the admin may open it: a list page, no id
    unknown = _row(response, "elsewhere.thing")
    assert unknown.words.type_label == "elsewhere.thing" and unknown.words.changes == ["colour：red → blue"]


def test_type_filter_is_a_choice_list_of_the_types_present_in_one_cached_query(accepted, users, login):
    client = login(users[Role.AUDITOR])
    response = client.get("/work/audit/")
    field = response.context["filter"].form.fields["target_type"]
    choices = dict(field.choices)
    assert choices["relief.application"] == "救助申请"
    assert "relief.payrollroll" not in choices  # no roll has been audited
    present = set(AuditEvent.objects.values_list("target_type", flat=True))
    assert set(choices) - {""} == present
    html = response.content.decode()
    assert '<select name="target_type"' in html and '<option value="relief.application">救助申请</option>' in html
    with CaptureQueriesContext(connection) as queries:
        assert dict(audit_words.target_types()) == {k: v for k, v in choices.items() if k}
    assert not queries.captured_queries  # cached
    assert client.get("/work/audit/", {"target_type": "nonsense"}).context["page"].items == []


def test_excel_export_uses_the_same_words(accepted, users, login):
    response = login(users[Role.AUDITOR]).get("/work/audit/", {"export": "xlsx", "target_type": "relief.application"})
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert {row[3] for row in rows[1:]} == {"救助申请"}
    assert any("步骤：受理" in (row[6] or "") and "状态：已提交 → 已受理" in row[6] for row in rows[1:])


def test_english_dates_and_labels_follow_the_language(accepted, users):
    event = AuditEvent.objects.filter(target_type="relief.application", changes__step="accept").get()
    with translation.override("en"):
        lines = audit_words.change_lines(event.target_type, event.changes)
    deadline = next(line for line in lines if accepted.deadline.strftime("%Y") in line)
    assert "年" not in deadline and "月" not in deadline
