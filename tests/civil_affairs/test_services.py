"""Writes to the shared core: each one validated, each one audited."""

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from civil_affairs import rules, services
from civil_affairs.models import AuditEvent, Document, HouseholdMember, Person, Role, User
from tests.factories import pdf_bytes, valid_id_number

PDF = pdf_bytes()


def test_person_create_derives_sex_and_birth_date_and_audits(regions, users):
    number = rules.make_id_number("320612", dt.date(1944, 3, 9), 17)
    person = services.person_create(
        actor=users[Role.CASEWORKER], id_number=number, name=" 周大海 ", hukou_region=regions["jinsha_1"]
    )
    person.refresh_from_db()
    assert (person.name, person.sex, person.birth_date) == ("周大海", "M", dt.date(1944, 3, 9))
    event = AuditEvent.objects.get(target_type="civil_affairs.person", target_id=str(person.pk))
    assert event.action == "create" and event.actor == users[Role.CASEWORKER]
    assert event.region_code == "320612001001"
    assert event.changes["id_number"] == "3206**********" + number[-4:]


def test_person_create_rejects_bad_and_duplicate_numbers(regions):
    with pytest.raises(services.DomainError, match="校验位错误"):
        services.person_create(
            actor=None, id_number="320612194403090172", name="周大海", hukou_region=regions["jinsha_1"]
        )
    number = valid_id_number()
    services.person_create(actor=None, id_number=number, name="甲", hukou_region=regions["jinsha_1"])
    with pytest.raises(services.DomainError, match="已登记"):
        services.person_create(actor=None, id_number=number, name="乙", hukou_region=regions["jinsha_1"])
    assert Person.objects.filter(id_number=number).count() == 1


def test_person_update_records_the_change(regions, users):
    person = services.person_create(
        actor=None, id_number=valid_id_number(), name="甲", hukou_region=regions["jinsha_1"]
    )
    services.person_update(actor=users[Role.CASEWORKER], person=person, phone="13800000000", disability_grade=2)
    event = AuditEvent.objects.filter(action="update", target_id=str(person.pk)).get()
    assert event.changes == {"phone": ["", "13800000000"], "disability_grade": [0, 2]}
    with pytest.raises(services.DomainError):
        services.person_update(actor=None, person=person, id_number="x")


def test_resident_register_binds_the_existing_person_after_a_code_to_its_phone(
    households, sms_outbox, django_capture_on_commit_callbacks
):
    head = households["ours"].members.get(relation="head").person
    with django_capture_on_commit_callbacks(execute=True):  # the text leaves once the code row is committed
        sent = services.resident_register_begin(
            phone=head.phone, id_number=head.id_number, name=head.name, password="Safe-pass-2026"
        )
    assert sent is None and len(sms_outbox) == 1
    code = re.search(r"\d{6}", sms_outbox[0].message).group()
    user = services.resident_register_finish(
        phone=head.phone,
        id_number=head.id_number,
        name=head.name,
        password_hash=make_password("Safe-pass-2026"),
        code=code,
    )
    assert user.person == head and user.role == Role.RESIDENT and user.check_password("Safe-pass-2026")
    assert user.is_verified_resident and user.verification_method == "sms"
    assert AuditEvent.objects.filter(target_type="civil_affairs.user", target_id=str(user.pk)).exists()


def test_resident_register_refuses_wrong_name_second_account_and_weak_password(households):
    head = households["ours"].members.get(relation="head").person
    neutral = "无法完成注册，请核对姓名和身份证号码"
    with pytest.raises(services.DomainError, match=neutral):
        services.resident_register_begin(
            phone="13700000000", id_number=head.id_number, name="别人", password="Safe-pass-2026"
        )
    with pytest.raises(services.DomainError):
        services.resident_register_begin(
            phone="13700000000", id_number=head.id_number, name=head.name, password="12345678"
        )
    services.resident_register_begin(
        phone="13700000000", id_number=head.id_number, name=head.name, password="Safe-pass-2026"
    )
    with pytest.raises(services.DomainError, match=neutral):
        services.resident_register_begin(
            phone="13700000001", id_number=head.id_number, name=head.name, password="Safe-pass-2026"
        )
    assert User.objects.filter(person=head).count() == 1


def test_resident_register_creates_a_person_new_to_the_registry(
    regions, sms_outbox, django_capture_on_commit_callbacks
):
    number = rules.make_id_number("320612", dt.date(1990, 1, 2), 24)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.resident_register_begin(
                phone="13700000002", id_number=number, name="新居民", password="Safe-pass-2026"
            )
            is None
        )
    assert not Person.objects.filter(id_number=number).exists()  # nothing made before the code proves the phone
    code = re.search(r"\d{6}", sms_outbox[0].message).group()
    user = services.resident_register_finish(
        phone="13700000002", id_number=number, name="新居民", password_hash=make_password("Safe-pass-2026"), code=code
    )
    assert user.person.id_number == number and user.person.phone == "13700000002"
    assert user.person.hukou_region_id == "320612000000"  # the county of the address code


def test_household_create_and_members(regions, users):
    head = services.person_create(
        actor=None, id_number=valid_id_number(), name="户主", hukou_region=regions["jinsha_1"]
    )
    household = services.household_create(actor=users[Role.CASEWORKER], region=regions["jinsha_1"], head=head)
    spouse = services.person_create(
        actor=None, id_number=valid_id_number(male=False), name="配偶", hukou_region=regions["jinsha_1"]
    )
    services.household_member_add(actor=users[Role.CASEWORKER], household=household, person=spouse, relation="spouse")
    assert list(household.members.values_list("relation", flat=True).order_by("id")) == ["head", "spouse"]
    with pytest.raises(services.DomainError, match="已是其他家庭的成员"):
        services.household_member_add(actor=None, household=household, person=spouse, relation="child")
    with pytest.raises(services.DomainError, match="社区或村"):
        services.household_create(actor=None, region=regions["jinsha"], head=spouse)
    assert HouseholdMember.objects.filter(person=spouse).count() == 1


def test_document_upload_checks_type_size_and_content(households, users, settings):
    household = households["ours"]
    actor = users[Role.CASEWORKER]
    doc = services.document_upload(
        actor=actor, household=household, kind="income_proof", uploaded=SimpleUploadedFile("工资证明.pdf", PDF)
    )
    assert doc.content_type == "application/pdf" and doc.size == len(PDF)
    assert doc.file.read() == PDF
    assert not doc.file.name.startswith("/")  # stored under DOCUMENT_ROOT, outside static/
    with pytest.raises(services.DomainError, match="只接受"):
        services.document_upload(
            actor=actor, household=household, kind="other", uploaded=SimpleUploadedFile("x.exe", b"MZ...")
        )
    with pytest.raises(services.DomainError, match="内容与扩展名不符"):
        services.document_upload(
            actor=actor, household=household, kind="other", uploaded=SimpleUploadedFile("fake.pdf", b"<html>")
        )
    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(services.DomainError, match="不能超过"):
        services.document_upload(
            actor=actor, household=household, kind="other", uploaded=SimpleUploadedFile("big.pdf", PDF)
        )
    assert Document.objects.count() == 1
