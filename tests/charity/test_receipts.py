"""Receipts: numbers unique and without gaps per organisation and year, even with
several connections entering donations at once; yearly receipts on the batch
engine (rerun adds nothing, resumes after a kill, bad input refused); void and
decline recorded; the printable page."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from charity import batch, services
from charity.models import Donation, Receipt, ReceiptLine
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, BatchRun


def _give(charity, donor, amount="100", day=dt.date(2026, 5, 1), **kw):
    return services.donation_record(actor=charity["maker"], org=charity["org"], amount=amount, received_on=day,
                                    donor=donor, **kw)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_concurrent_entry_gives_unique_numbers_without_gaps(charity):
    """Six real connections each enter five donations with a receipt, in their own
    transactions; one transaction of each thread is rolled back after taking its
    number.  The numbers that stay are exactly 1..N."""
    org = charity["org"]
    errors = []
    start = threading.Barrier(6)

    def worker(i):
        try:
            start.wait()
            donor = services.donor_get_or_create(org=org, kind="person", name=f"并发捐赠人{i}")
            for n in range(5):
                with transaction.atomic():
                    d = _give(charity, donor, amount=str(10 + n))
                    services.receipt_issue(actor=charity["maker"], donation=d)
            try:
                with transaction.atomic():
                    d = _give(charity, donor, amount="1")
                    services.receipt_issue(actor=charity["maker"], donation=d)
                    raise RuntimeError("rolled back after taking a number")
            except RuntimeError:
                pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = sorted(Receipt.objects.filter(organisation=org, year=2026).values_list("number", flat=True))
    assert numbers == list(range(1, 31))
    assert ReceiptLine.objects.filter(donation__organisation=org, active=True).count() == 30


@pytest.mark.django_db
def test_void_keeps_the_number_and_the_donation_may_be_receipted_again(charity, donor, client):
    d = _give(charity, donor)
    first = services.receipt_issue(actor=charity["maker"], donation=d)
    with pytest.raises(DomainError, match="已开具"):
        services.receipt_issue(actor=charity["maker"], donation=d)
    with pytest.raises(DomainError, match="原因"):
        services.receipt_void(actor=charity["maker"], receipt=first, reason="")
    services.receipt_void(actor=charity["maker"], receipt=first, reason="捐赠人姓名有误")
    second = services.receipt_issue(actor=charity["maker"], donation=d)
    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert first.void and first.number == 1
    client.force_login(charity["maker"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/work/charity/receipts/{first.pk}/").content.decode()
    assert "作废" in page and first.code in page and "捐赠人姓名有误" in page
    assert AuditEvent.objects.filter(target_type="charity.receipt", target_id=str(first.pk), action="view").exists()


@pytest.mark.django_db
def test_decline_and_anonymous_are_recorded_and_get_no_receipt(charity, donor):
    d = _give(charity, donor)
    services.receipt_decline(actor=charity["maker"], donation=d)
    d.refresh_from_db()
    assert d.receipt_declined
    with pytest.raises(DomainError, match="不需要票据"):
        services.receipt_issue(actor=charity["maker"], donation=d)
    anon = _give(charity, None, anonymous=True)
    with pytest.raises(DomainError, match="匿名"):
        services.receipt_issue(actor=charity["maker"], donation=anon)


def _donors(charity, n, gifts=2):
    made = []
    for i in range(n):
        donor = services.donor_get_or_create(org=charity["org"], kind="person", name=f"年度捐赠人{i}")
        for g in range(gifts):
            _give(charity, donor, amount=f"{10 * (g + 1)}", day=dt.date(2026, 3 + g, 1))
        made.append(donor)
    return made


@pytest.mark.django_db
def test_yearly_receipts_group_a_donors_year_and_rerun_adds_nothing(charity):
    donors = _donors(charity, 4)
    single = services.receipt_issue(actor=charity["maker"], donation=Donation.objects.filter(donor=donors[0]).first())
    services.receipt_decline(actor=charity["maker"], donation=Donation.objects.filter(donor=donors[1]).first())
    _give(charity, None, anonymous=True)
    _give(charity, donors[2], day=dt.date(2025, 12, 31))  # another year
    run = batch.receipts_start(org=charity["org"], year=2026)
    counts = batch.receipts_run(run_id=run.pk)
    assert counts == {"receipts": 4, "donations": 6}
    yearly = Receipt.objects.filter(kind="yearly").order_by("number")
    assert [r.number for r in yearly] == [2, 3, 4, 5]  # after the single receipt, no gap
    assert {r.donor_id: r.amount for r in yearly} == {
        donors[0].pk: Decimal("20.00"),
        donors[1].pk: Decimal("20.00"),  # the declined gift is left out
        donors[2].pk: Decimal("30.00"),
        donors[3].pk: Decimal("30.00"),
    }
    assert ReceiptLine.objects.filter(receipt__kind="yearly").count() == 6
    assert single.number == 1
    assert AuditEvent.objects.filter(target_type="charity.receipt", action="create").count() == 5
    rerun = batch.receipts_start(org=charity["org"], year=2026)
    assert batch.receipts_run(run_id=rerun.pk) == {"receipts": 0, "donations": 0}
    assert Receipt.objects.count() == 5
    assert BatchRun.objects.get(pk=rerun.pk).status == "succeeded"


@pytest.mark.django_db
def test_yearly_receipts_resume_after_a_kill(charity, monkeypatch):
    _donors(charity, 5, gifts=1)
    monkeypatch.setattr(batch, "RECEIPT_CHUNK", 1)
    real = batch._receipt_step
    calls = {"n": 0}

    def dying(**kw):
        step = real(**kw)

        def wrapped(lo, hi):
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("worker killed")
            return step(lo, hi)

        return wrapped

    monkeypatch.setattr(batch, "_receipt_step", dying)
    run = batch.receipts_start(org=charity["org"], year=2026)
    with pytest.raises(RuntimeError):
        batch.receipts_run(run_id=run.pk)
    assert Receipt.objects.count() == 2
    BatchRun.objects.filter(pk=run.pk).update(status="pending", finished_at=None)
    assert batch.receipts_run(run_id=run.pk)["receipts"] == 5
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_issue_receipts_command(charity, capsys):
    _donors(charity, 2, gifts=1)
    call_command("issue_receipts", "--org", str(charity["org"].pk), "--year", "2026")
    assert "开具票据 2 张" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY"):
        call_command("issue_receipts", "--org", str(charity["org"].pk), "--year", "26")
    with pytest.raises(CommandError, match="不存在"):
        call_command("issue_receipts", "--org", "999999", "--year", "2026")


@pytest.mark.django_db
def test_public_campaign_needs_its_plan_filed_first(charity, donor):
    org = charity["org"]
    drive = services.campaign_create(actor=charity["admin"], org=org, name="冬季送温暖", starts_on=dt.date(2026, 11, 1),
                                     ends_on=dt.date(2027, 2, 1))  # fmt: skip
    with pytest.raises(DomainError, match="尚未备案"):
        _give(charity, donor, day=dt.date(2026, 11, 10), campaign=drive)
    services.plan_file(actor=charity["admin"], campaign=drive, filed_on=dt.date(2026, 11, 12), record_number="X1")
    with pytest.raises(DomainError, match="晚于捐赠日期"):
        _give(charity, donor, day=dt.date(2026, 11, 10), campaign=drive)
    assert _give(charity, donor, day=dt.date(2026, 11, 12), campaign=drive).campaign == drive
    # an organisation without public-fundraising status cannot start a public drive
    with pytest.raises(DomainError, match="公开募捐资格"):
        services.campaign_create(actor=charity["admin"], org=charity["other"], name="x", starts_on=dt.date(2026, 1, 1),
                                 ends_on=dt.date(2026, 2, 1))  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_yearly_batch_and_single_receipts_at_once_keep_numbers_without_gaps(charity, monkeypatch):
    """The yearly batch runs in chunks of one donor while another connection
    issues single receipts for new donations and tries a donation the batch may
    already have covered: the numbers of the year are exactly 1..N, no donation
    has two active lines, and a rerun of the batch adds nothing."""
    org = charity["org"]
    donors = _donors(charity, 8, gifts=1)
    monkeypatch.setattr(batch, "RECEIPT_CHUNK", 1)
    late = services.donor_get_or_create(org=org, kind="person", name="单张票据捐赠人")
    errors, refused = [], []
    start = threading.Barrier(2)

    def yearly():
        try:
            start.wait()
            run = batch.receipts_start(org=org, year=2026)
            batch.receipts_run(run_id=run.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def singles():
        try:
            start.wait()
            for n in range(4):
                with transaction.atomic():
                    services.receipt_issue(actor=charity["maker"], donation=_give(charity, late, amount=str(n + 1)))
            try:  # a donation of the batch's: refused if the batch got there first, else receipted singly
                with transaction.atomic():
                    first = Donation.objects.filter(donor=donors[-1]).first()
                    services.receipt_issue(actor=charity["maker"], donation=first)
            except DomainError:
                refused.append(True)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=yearly), threading.Thread(target=singles)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = sorted(Receipt.objects.filter(organisation=org, year=2026).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert ReceiptLine.objects.filter(donation__organisation=org, active=True).count() == 8 + 4
    assert len(numbers) == 8 + 4  # each batch donor's gift on a yearly receipt or (taken first) a single one; 4 singles
    rerun = batch.receipts_start(org=org, year=2026)
    assert batch.receipts_run(run_id=rerun.pk) == {"receipts": 0, "donations": 0}
