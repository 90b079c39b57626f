"""Community end to end in headless Chromium: a resident proposes a topic from
the portal; the community worker accepts it, notifies, holds the meeting,
records the resolution, publishes it and reports its execution to done with an
evidence file; the resident sees the progress, and so does the public page.
A community worker enters ballot-box results: figures that do not add up are
refused with the numbers, exactly half turnout is declared invalid, one more
voter makes it valid."""

import pytest
from playwright.sync_api import expect

from civil_affairs.models import Role
from community.models import Election, Topic
from tests.browser.conftest import log_in, screenshot
from tests.community import factories as f
from tests.community.conftest import today  # noqa: F401 - fixture
from tests.factories import pdf_bytes

pytestmark = pytest.mark.browser

PDF = {"name": "验收单.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}


def _step(page, topic, step, fields, *, files=None):
    page.goto(f"/work/community/topics/{topic.pk}/")
    page.get_by_test_id(f"step-{step}").click()
    for field_id, value in fields.items():
        page.locator(f"#id_{field_id}").fill(value)
    if files:
        page.locator("#id_evidence").set_input_files(files)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("topic-state")).to_be_visible()


def test_resident_proposes_and_follows_to_done(new_page, users, regions, today):  # noqa: F811
    resident, worker = users[Role.RESIDENT], users[Role.COMMUNITY_WORKER]
    page = new_page()
    log_in(page, resident.username)
    page.goto("/my/community/")
    page.locator("#id_title").fill("3号楼加装电梯")
    page.locator("#id_description").fill("楼里老人多，上下楼困难")
    page.get_by_role("button", name="提交议题").click()
    expect(page.get_by_test_id("topic-state")).to_have_text("议题征集")
    topic = Topic.objects.get(title="3号楼加装电梯")

    staff = new_page()
    log_in(staff, worker.username)
    staff.goto("/work/community/topics/")
    staff.get_by_role("link", name="3号楼加装电梯").click()
    staff.get_by_test_id("step-accept").click()
    staff.locator("#id_participants").fill("3号楼居民代表、物业、业委会")
    staff.get_by_role("button", name="提交").click()
    expect(staff.get_by_test_id("topic-state")).to_have_text("议题确定")
    _step(staff, topic, "notify", {"notice": "加装电梯方案及费用分摊表", "meeting_on": "2026-06-05"})
    _step(staff, topic, "meet", {"attendance": "23", "minutes": "到会23人，同意加装，费用按楼层分摊"})
    _step(
        staff, topic, "resolve", {"resolution": "6月底前招标，9月底前完工", "owner": "王主任", "due_on": "2026-09-30"}
    )
    _step(staff, topic, "publish", {})
    _step(staff, topic, "progress", {"progress": "40", "note": "已完成招标"})
    _step(staff, topic, "progress", {"progress": "100", "note": "电梯已通过验收并投入使用"}, files=PDF)
    expect(staff.get_by_test_id("topic-state")).to_have_text("实施完成")
    expect(staff.get_by_test_id("timeline")).to_contain_text("验收单.pdf")
    screenshot(staff, "community-topic-done")

    page.reload()
    expect(page.get_by_test_id("topic-state")).to_have_text("实施完成")
    expect(page.get_by_test_id("progress")).to_have_text("100%")
    expect(page.get_by_test_id("timeline")).to_contain_text("电梯已通过验收并投入使用")

    public = new_page()
    public.goto(f"/community/{regions['jinsha_1'].code}/")
    expect(public.get_by_test_id("public-topics")).to_contain_text("3号楼加装电梯")
    expect(public.get_by_test_id("public-topics")).to_contain_text("赵*民")
    expect(public.get_by_test_id("public-topics")).not_to_contain_text("赵居民")


def _fill_box(page, values, votes):
    for key, value in values.items():
        page.get_by_test_id(f"box0-{key}").fill(str(value))
    for i, n in enumerate(votes, start=1):
        page.get_by_test_id(f"box0-c{i}").fill(str(n))
    page.get_by_test_id("save-results").click()


def test_worker_enters_results_and_the_system_declares_validity(new_page, users, regions, today):  # noqa: F811
    worker = users[Role.COMMUNITY_WORKER]
    jinsha = regions["jinsha_1"]
    f.voters(jinsha, 9)
    election = f.election(worker, jinsha, to=Election.State.CANDIDATES)
    roll = election.voters.filter(removed=False).count()
    half = roll // 2
    page = new_page()
    log_in(page, worker.username)
    page.goto(f"/work/community/elections/{election.pk}/")
    page.get_by_test_id("enter-results").click()

    # does not add up: refused with the numbers, what was typed stays
    _fill_box(
        page,
        {"name": "一号票箱", "registered": roll, "issued": half, "returned": half, "valid": half - 1, "invalid": 0},
        [1, 1, 1, 0],
    )
    expect(page.get_by_test_id("form-errors")).to_contain_text(
        f"有效票 {half - 1} + 无效票 0 = {half - 1}，与收回选票 {half} 不符"
    )
    expect(page.get_by_test_id("box0-name")).to_have_value("一号票箱")

    # exactly half voted: not valid
    _fill_box(page, {"valid": half}, [half, half, half, 0])
    expect(page.get_by_test_id("election-valid")).to_contain_text("选举无效")
    expect(page.get_by_test_id("runoff")).to_be_visible()

    # one more voter: valid, three winners over half of the votes cast
    page.get_by_test_id("enter-results").click()
    voted = half + 1
    _fill_box(page, {"issued": voted, "returned": voted, "valid": voted, "invalid": 0}, [voted, voted, voted, 0])
    expect(page.get_by_test_id("election-valid")).to_contain_text("选举有效")
    expect(page.get_by_test_id("candidates")).to_contain_text("当选")
    screenshot(page, "community-election-valid")


def test_community_pages_run_under_the_policy(new_page, users, regions, today):  # noqa: F811
    from tests.browser.test_csp import _has_chart, _refused, _watch

    worker = users[Role.COMMUNITY_WORKER]
    f.voters(regions["jinsha_1"], 5)
    election = f.election(worker, regions["jinsha_1"], to=Election.State.ROLL)
    page = new_page()
    problems = _watch(page)
    log_in(page, str(Role.BUREAU_ADMIN))
    page.goto("/work/community/dashboard/")
    expect(page.get_by_test_id("dashboard-table")).to_contain_text("通州区")
    assert _has_chart(page, "community-rate") and _has_chart(page, "community-turnout")
    for url in (
        "/work/community/",
        "/work/community/topics/",
        "/work/community/orgs/",
        f"/work/community/elections/{election.pk}/",
    ):
        page.goto(url)
    page.goto(f"/community/{regions['jinsha_1'].code}/")
    assert not _refused(problems), problems
