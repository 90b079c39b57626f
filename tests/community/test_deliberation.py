"""Deliberation from proposal to feedback, the execution rate (set-based) and
the public page (no login, names masked)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, Role
from community import selectors, services
from community.models import Topic
from tests.factories import pdf_bytes

D = dt.date


@pytest.fixture
def jinsha(regions):
    return regions["jinsha_1"]


def _to_published(actor, topic, *, due):
    services.topic_accept(actor=actor, topic=topic, participants="居民代表、物业、业委会")
    services.topic_notify(actor=actor, topic=topic, notice="加装电梯方案及费用分摊", meeting_on=D(2026, 6, 5))
    services.topic_meet(actor=actor, topic=topic, attendance=23, minutes="同意加装，按楼层分摊")
    services.topic_resolve(actor=actor, topic=topic, resolution="6月底前招标，9月底前完工", owner="王主任", due_on=due)
    return services.topic_publish(actor=actor, topic=topic)


def test_resident_proposal_to_feedback(today, users, worker, jinsha):
    resident = users[Role.RESIDENT]
    topic = services.topic_propose(
        actor=resident, region=jinsha, title="3号楼加装电梯", proposer=resident.person, description="老人多，上下楼难"
    )
    assert topic.state == Topic.State.PROPOSED
    assert list(selectors.resident_topics(resident)) == [topic]  # the proposer follows it
    _to_published(worker, topic, due=D(2026, 9, 30))
    with pytest.raises(DomainError, match="进度应在 0 至 100"):
        services.topic_progress(actor=worker, topic=topic, progress=101, note="x")
    entry = services.topic_progress(
        actor=worker,
        topic=topic,
        progress=40,
        note="已完成招标",
        evidence=SimpleUploadedFile("中标通知.pdf", pdf_bytes()),
    )
    assert entry.evidence_name == "中标通知.pdf" and entry.evidence_type == "application/pdf"
    with pytest.raises(DomainError, match="进度不能倒退"):
        services.topic_progress(actor=worker, topic=topic, progress=30, note="x")
    services.topic_progress(actor=worker, topic=topic, progress=100, note="电梯已投入使用")
    topic.refresh_from_db()
    assert topic.state == Topic.State.DONE and topic.completed_on == today
    services.topic_feedback(actor=worker, topic=topic, feedback="已向全体住户反馈")
    topic.refresh_from_db()
    assert topic.state == Topic.State.REPORTED
    steps = [e.step for e in selectors.topic_entries(topic)]
    assert steps == ["propose", "accept", "notify", "meet", "resolve", "publish", "progress", "progress", "feedback"]
    assert AuditEvent.objects.filter(target_type="community.topic", target_id=str(topic.pk)).count() == 9


def test_decline_needs_a_reason_the_proposer_sees(today, users, worker, jinsha, login):
    resident = users[Role.RESIDENT]
    topic = services.topic_propose(actor=resident, region=jinsha, title="小区养鸽", proposer=resident.person)
    with pytest.raises(DomainError, match="写明理由"):
        services.topic_decline(actor=worker, topic=topic, reason="")
    services.topic_decline(actor=worker, topic=topic, reason="涉及公共卫生，不属于居民协商事项")
    page = login(resident).get(f"/my/community/topics/{topic.pk}/")
    assert "涉及公共卫生，不属于居民协商事项" in page.content.decode()


def test_steps_in_order_only(today, worker, jinsha):
    topic = services.topic_propose(actor=worker, region=jinsha, title="停车位")
    with pytest.raises(DomainError, match="议题征集"):
        services.topic_meet(actor=worker, topic=topic, attendance=3, minutes="x")


def test_execution_rate_per_community_and_city(today, regions, worker, jinsha):
    other = regions["wenfeng_1"]
    # 金沙: 2 due (1 on time, 1 late), 1 not due yet; 文峰: 1 due on time
    for title, due, done in [
        ("甲", D(2026, 5, 1), D(2026, 4, 30)),
        ("乙", D(2026, 5, 1), D(2026, 5, 2)),
        ("丙", D(2026, 12, 1), None),
    ]:
        t = services.topic_propose(actor=worker, region=jinsha, title=title)
        Topic.objects.filter(pk=t.pk).update(state="executing", due_on=due, completed_on=done)
    t = services.topic_propose(actor=worker, region=other, title="丁")
    Topic.objects.filter(pk=t.pk).update(state="done", due_on=D(2026, 5, 1), completed_on=D(2026, 5, 1))
    per = selectors.execution_rate_by_community("3206", today)
    assert per[jinsha.code]["due"] == 2 and per[jinsha.code]["on_time"] == 1
    assert per[jinsha.code]["rate"] == selectors.rules.Decimal("50.00")
    assert per[other.code]["rate"] == selectors.rules.Decimal("100.00")
    total = selectors.execution_rate_total("3206", today)
    assert (total["due"], total["on_time"], str(total["rate"])) == (3, 2, "66.67")


def test_public_page_without_login_masks_names(today, client, users, worker, jinsha, django_assert_max_num_queries):
    resident = users[Role.RESIDENT]
    topic = services.topic_propose(actor=resident, region=jinsha, title="加装电梯", proposer=resident.person)
    hidden = services.topic_propose(actor=resident, region=jinsha, title="尚未受理的议题", proposer=resident.person)
    _to_published(worker, topic, due=D(2026, 9, 30))
    with django_assert_max_num_queries(8):
        page = client.get(f"/community/{jinsha.code}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "加装电梯" in body and hidden.title not in body
    assert "赵*民" in body and "赵居民" not in body
    detail = client.get(f"/community/{jinsha.code}/topics/{topic.pk}/").content.decode()
    assert "6月底前招标" in detail and "赵居民" not in detail
    assert client.get(f"/community/{jinsha.code}/topics/{hidden.pk}/").status_code == 404
