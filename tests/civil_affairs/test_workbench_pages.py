"""Workbench lists, search, detail pages, exports and audit on the real database."""

import io

import pytest
from openpyxl import load_workbook

from civil_affairs.models import AuditEvent, Role
from tests.civil_affairs.factories import MemberFactory


def _sheet(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_search_by_id_number_name_and_phone(households, users, login):
    client = login(users[Role.CASEWORKER])
    head = households["ours"].members.get(relation="head").person
    for query in (head.id_number, head.name, head.phone, head.id_number[:10]):
        response = client.get("/work/households/", {"q": query})
        assert households["ours"].number in response.text, query
        assert households["theirs"].number not in response.text


def test_lists_show_only_the_jurisdiction_and_mask_id_numbers(households, users, login):
    client = login(users[Role.CASEWORKER])
    response = client.get("/work/people/")
    head = households["ours"].members.get(relation="head").person
    theirs = households["theirs"].members.get().person
    assert head.name in response.text and theirs.name not in response.text
    assert head.id_number not in response.text
    assert f"{head.id_number[:4]}**********{head.id_number[-4:]}" in response.text


def test_detail_shows_full_id_to_caseworker_and_audits_the_view(households, users, login):
    household = households["ours"]
    head = household.members.get(relation="head").person
    response = login(users[Role.CASEWORKER]).get(f"/work/households/{household.pk}/")
    assert head.id_number in response.text
    assert AuditEvent.objects.filter(
        action="view", target_type="civil_affairs.household", target_id=str(household.pk), actor=users[Role.CASEWORKER]
    ).exists()
    response = login(users[Role.CASEWORKER]).get(f"/work/people/{head.pk}/")
    assert head.id_number in response.text
    assert AuditEvent.objects.filter(action="view", target_type="civil_affairs.person", target_id=str(head.pk)).exists()


def test_community_worker_sees_masked_numbers_even_on_detail(households, users, login):
    household = households["ours"]
    head = household.members.get(relation="head").person
    response = login(users[Role.COMMUNITY_WORKER]).get(f"/work/households/{household.pk}/")
    assert response.status_code == 200
    assert head.id_number not in response.text and head.masked_id_number in response.text


def test_other_street_gets_404_for_our_household(households, users, login):
    response = login(users["other_caseworker"]).get(f"/work/households/{households['ours'].pk}/")
    assert response.status_code == 404


def test_household_list_query_count_is_bounded(regions, users, login, django_assert_max_num_queries):
    for _ in range(60):
        MemberFactory(household__region=regions["jinsha_1"])
    client = login(users[Role.REVIEWER])
    with django_assert_max_num_queries(8):
        response = client.get("/work/households/")
    assert response.status_code == 200
    assert response.text.count('class="font-monospace">HT') == 50
    assert "next-page" in response.text


def test_keyset_pagination_walks_every_row_once(regions, users, login):
    import re

    numbers = {MemberFactory(household__region=regions["jinsha_1"]).household.number for _ in range(120)}
    client = login(users[Role.CASEWORKER])
    seen, pages, url = [], [], "/work/households/?sort=-number"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        rows = re.findall(r'class="font-monospace">(HT\d+)</a>', response.text)
        seen += rows
        pages.append(len(rows))
        match = re.search(r'href="(\?[^"]*after=[^"]+)"', response.text)
        url = "/work/households/" + match.group(1).replace("&amp;", "&") if match else None
    assert seen == sorted(numbers, reverse=True)  # every row once, in order
    assert pages == [50, 50, 20]  # 120 rows, 50 a page; the last page has no next link


def test_person_list_query_count_is_bounded(regions, users, login, django_assert_max_num_queries):
    for _ in range(60):
        MemberFactory(household__region=regions["jinsha_1"])
    client = login(users[Role.CASEWORKER])
    with django_assert_max_num_queries(8):
        assert client.get("/work/people/", {"sort": "-birth_date"}).status_code == 200


def test_excel_export_is_filtered_masked_and_audited(households, users, login):
    client = login(users[Role.REVIEWER])
    response = client.get("/work/people/", {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response)
    head = households["ours"].members.get(relation="head").person
    assert rows[0][:2] == ["身份证号", "姓名"]
    names = {r[1] for r in rows[1:]}
    assert head.name in names and "陈志强" not in names  # 崇川区 is outside 通州区
    assert all("*" in r[0] for r in rows[1:])
    assert AuditEvent.objects.filter(action="export", actor=users[Role.REVIEWER]).exists()
    households_sheet = _sheet(client.get("/work/households/", {"export": "xlsx", "q": head.name}))
    assert [r[0] for r in households_sheet[1:]] == [households["ours"].number]
    exports = AuditEvent.objects.filter(action="export", actor=users[Role.REVIEWER])
    assert sorted(exports.values_list("target_type", flat=True)) == ["civil_affairs.household", "civil_affairs.person"]
    assert exports.get(target_type="civil_affairs.household").changes == {"filters": {"export": "xlsx", "q": head.name}}


def test_audit_log_export_is_itself_audited(users, login):
    client = login(users[Role.AUDITOR])
    response = client.get("/work/audit/", {"export": "xlsx"})
    assert response.status_code == 200
    assert (
        AuditEvent.objects.filter(
            action="export", actor=users[Role.AUDITOR], target_type="civil_affairs.auditevent"
        ).count()
        == 1
    )


def test_filters_narrow_the_list(households, users, login):
    client = login(users[Role.BUREAU_ADMIN])
    response = client.get("/work/people/", {"region": "320613000000"})
    assert "陈志强" in response.text and "王建国" not in response.text
    response = client.get("/work/people/", {"sex": "F"})
    assert "李秀英" in response.text and "王建国" not in response.text


def test_htmx_request_gets_only_the_rows(households, users, login):
    response = login(users[Role.CASEWORKER]).get("/work/people/", {"q": "王"}, HTTP_HX_REQUEST="true")
    assert '<nav class="navbar' not in response.text and "王建国" in response.text


@pytest.mark.parametrize("language, text", [("zh-hans", "人员查询"), ("en", "Find people")])
def test_language_switch(households, users, login, language, text):
    client = login(users[Role.CASEWORKER])
    client.post("/i18n/setlang/", {"language": language, "next": "/work/people/"})
    assert text in client.get("/work/people/").text


def test_dashboard_chart_counts_households_per_district(households, users, login, django_assert_max_num_queries):
    from django.core.cache import cache

    cache.clear()
    client = login(users[Role.BUREAU_ADMIN])
    with django_assert_max_num_queries(10):
        response = client.get("/work/")
    areas = response.context["areas"]
    assert [(a["name"], a["households"]) for a in areas] == [("通州区", 1), ("崇川区", 1)]
    assert 'id="area-chart"' in response.text and "chart.umd.min.js" in response.text


def test_document_download_is_audited_in_the_households_region(households, users, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civil_affairs import services
    from tests.factories import pdf_bytes

    pdf = pdf_bytes()
    household = households["ours"]
    doc = services.document_upload(
        actor=users[Role.CASEWORKER],
        household=household,
        kind="income_proof",
        uploaded=SimpleUploadedFile("工资证明.pdf", pdf),
    )
    response = login(users[Role.CASEWORKER]).get(f"/work/documents/{doc.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    event = AuditEvent.objects.get(action="download", target_id=str(doc.pk))
    assert event.region_code == household.region_id == "320612001001"
