"""Language and format (issue 12 item 9): money in one format, dates and
punctuation in the reader's language, import reasons without doubled
punctuation, one wording for "required", Chinese names in the admin."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import translation

from civil_affairs import services, text
from civil_affairs.models import Role
from civil_affairs.templatetags.minzheng import yuan
from relief.models import HomeVisit
from relief.services import applications as svc
from tests.civil_affairs.factories import PERSON_IMPORT_ROWS, person_csv
from tests.relief.factories import benefit_for, submitted


@pytest.mark.parametrize(
    "value, shown",
    [(Decimal("1540"), "¥1,540.00"), ("780.005", "¥780.01"), (0, "¥0.00"), (Decimal("-5.5"), "-¥5.50"), (None, "")],
)
def test_one_money_format_in_every_language(value, shown):
    assert yuan(value) == shown
    with translation.override("en"):
        assert yuan(value) == shown


def test_area_rows_show_money_through_the_filter(family, users, login):
    benefit_for(family)
    html = login(users[Role.CASEWORKER]).get(f"/work/households/{family.pk}/").text
    assert "¥780.00" in html and "金额（元）" not in html


def test_joins_follow_the_language():
    assert text.words(["甲", "乙"]) == "甲、乙" and text.labelled("原因", "失业") == "原因：失业"
    assert text.clauses(["身份证号码校验位错误。", "不能为空。"]) == "身份证号码校验位错误；不能为空。"
    with translation.override("en"):
        assert text.words(["A", "B"]) == "A, B" and text.labelled("Reason", "x") == "Reason: x"
        assert text.clauses(["Bad check digit.", "Required."]) == "Bad check digit; Required."


def _set_language(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


def test_case_page_in_english_has_no_chinese_dates_or_punctuation_around_fragments(family, staff, login):
    app = submitted(family, staff)
    app = svc.application_return(actor=staff["caseworker"], application=app, reason="缺少收入证明", checklist={})
    client = _set_language(login(staff["caseworker"]), "en")
    html = client.get(f"/work/relief/applications/{app.pk}/").text
    assert "缺少收入证明" in html
    assert "：缺少收入证明" not in html and ": 缺少收入证明" in html
    chinese = _set_language(login(staff["caseworker"]), "zh-hans").get(f"/work/relief/applications/{app.pk}/").text
    assert "：缺少收入证明" in chinese


def test_visit_names_are_joined_in_the_readers_language(family, staff, login):
    app = submitted(family, staff)
    svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS[app.kind]}
    )
    svc.application_visit_record(
        actor=staff["caseworker"],
        application=app,
        second_visitor=staff["colleague"],
        visited_on=dt.date(2026, 11, 2),
        living_conditions="两居室",
        findings="属实",
    )
    assert HomeVisit.objects.filter(application=app).exists()
    english = _set_language(login(staff["caseworker"]), "en").get(f"/work/relief/applications/{app.pk}/").text
    first = staff["caseworker"].first_name or staff["caseworker"].username
    assert f"{first}, 陈同事" in english and f"{first}、陈同事" not in english


def test_print_dates_follow_the_language():
    template = Template('{{ day|date:"DATE_FORMAT" }} {{ day|date:"YEAR_MONTH_FORMAT" }}')
    context = Context({"day": dt.date(2026, 11, 2)})
    assert template.render(context) == "2026年11月2日 2026年11月"
    with translation.override("en"):
        assert template.render(context) == "Nov. 2, 2026 November 2026"


def test_import_reasons_have_no_doubled_punctuation_and_no_boilerplate(regions, users):
    run = services.registry_import_start(
        user=users[Role.CASEWORKER],
        kind="person",
        uploaded=SimpleUploadedFile("people.csv", person_csv(*PERSON_IMPORT_ROWS)),
    )
    run = services.registry_import_run(run_id=run.pk)
    reasons = [e["reason"] for e in run.errors]
    assert reasons and all("。。" not in r and "。；" not in r and "：:" not in r and ": " not in r for r in reasons)
    assert not any("请核对后重新输入" in r for r in reasons)
    assert any("校验位错误" in r for r in reasons)


def test_required_has_one_wording(family, staff, login):
    from civil_affairs.forms import DeathRecordForm
    from relief import forms as relief_forms

    expected = "该字段是必填项。"  # Django's own wording, translated by Django in both languages
    for form in (relief_forms.ApplyMemberForm(data={}), DeathRecordForm(data={}, person=family.members.first().person)):
        messages = {m for errors in form.errors.values() for m in errors}
        assert messages == {expected}, (type(form).__name__, messages)
    with translation.override("en"):
        assert relief_forms.ApplyMemberForm(data={}).errors["name"] == ["This field is required."]


def test_admin_groups_of_third_party_apps_have_chinese_names(users, login):
    html = login(users[Role.BUREAU_ADMIN]).get("/admin/").text
    for name in ("接口令牌", "定时任务", "登录安全", "登录日志", "失败计数与锁定"):
        assert name in html, name
    for english in ("Knox", "Axes", "auth tokens", "access attempts", "Periodic Tasks"):
        assert english not in html, english
