"""The ledger: append-only in the database, reversals with a reason, balances
as sums of the ledger, no disbursement above a pot's balance."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.db.utils import InternalError

from charity import selectors, services
from charity.models import LedgerEntry, LedgerTotal
from civil_affairs.errors import DomainError

D = Decimal


def _give(charity, donor, amount, **kw):
    return services.donation_record(
        actor=charity["maker"], org=charity["org"], amount=amount, received_on=dt.date(2026, 5, 1), donor=donor, **kw
    )


@pytest.mark.django_db
def test_update_or_delete_of_a_ledger_row_fails_in_the_database(charity, donor):
    _give(charity, donor, "100")
    entry = LedgerEntry.objects.get()
    for sql in (
        "UPDATE charity_ledgerentry SET amount = 1 WHERE id = %s",
        "DELETE FROM charity_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(InternalError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    with pytest.raises(InternalError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(reason="x")  # the ORM fares no better
    with pytest.raises(InternalError), transaction.atomic():
        entry.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("100.00")


@pytest.mark.django_db
def test_receipt_keeps_its_number_and_is_never_deleted(charity, donor):
    receipt = services.receipt_issue(actor=charity["maker"], donation=_give(charity, donor, "50"))
    with pytest.raises(InternalError, match="never deleted"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM charity_receipt WHERE id = %s", [receipt.pk])
    with pytest.raises(InternalError, match="keeps its number"), transaction.atomic():
        type(receipt).objects.filter(pk=receipt.pk).update(number=99)


@pytest.mark.django_db
def test_reversal_needs_a_reason_and_nets_to_zero(charity, donor):
    donation = _give(charity, donor, "300", fund=charity["fund"])
    entry = donation.entries.get()
    with pytest.raises(DomainError, match="原因"):
        services.ledger_reverse(actor=charity["maker"], entry=entry, reason=" ")
    reversal = services.ledger_reverse(actor=charity["maker"], entry=entry, reason="重复录入")
    assert reversal.amount == D("-300.00") and reversal.reverses == entry
    assert services.balance(charity["org"], fund=charity["fund"]) == D("0.00")
    with pytest.raises(DomainError, match="已冲正"):
        services.ledger_reverse(actor=charity["maker"], entry=entry, reason="again")
    with pytest.raises(DomainError):
        services.ledger_reverse(actor=charity["maker"], entry=reversal, reason="undo")


@pytest.mark.django_db
def test_balances_are_sums_of_the_ledger(charity, donor):
    org, fund, project = charity["org"], charity["fund"], charity["project"]
    _give(charity, donor, "1000.10", fund=fund)
    _give(charity, donor, "200", project=project)
    _give(charity, None, "55.55", anonymous=True)
    _give(charity, donor, "400", campaign=charity["drive"])
    services.transfer(actor=charity["maker"], org=org, amount="100", reason="调剂", source=fund, target=None)
    services.management_cost_record(actor=charity["maker"], org=org, amount="20", reason="办公")
    d = services.disbursement_propose(
        actor=charity["maker"], org=org, amount="150", purpose="助学", beneficiary_name="某小学", project=project
    )
    services.disbursement_approve(actor=charity["checker"], disbursement=d)
    assert services.balance(org, fund=fund) == D("900.10")
    assert services.balance(org, project=project) == D("50.00")
    assert services.balance(org) == D("55.55") + D("400") + D("100") - D("20")
    # the trigger-kept totals agree with the entries, pot by pot
    for (fk, pk), amount in selectors.pot_balances(org).items():
        q = LedgerEntry.objects.filter(organisation=org)
        q = q.filter(fund_id=fk or None) if fk else q.filter(fund__isnull=True)
        q = q.filter(project_id=pk) if pk else q.filter(project__isnull=True)
        assert q.aggregate(s=Sum("amount"))["s"] == amount
    assert LedgerTotal.objects.aggregate(s=Sum("amount"))["s"] == LedgerEntry.objects.aggregate(s=Sum("amount"))["s"]
    fig = selectors.yearly_figures([org.pk])[org.pk][2026]
    assert (fig.income, fig.charitable, fig.management) == (D("1655.65"), D("150.00"), D("20.00"))


@pytest.mark.django_db
def test_disbursement_above_the_balance_is_refused(charity, donor):
    org, fund = charity["org"], charity["fund"]
    _give(charity, donor, "100", fund=fund)
    d = services.disbursement_propose(
        actor=charity["maker"], org=org, amount="100.01", purpose="救助", beneficiary_name="某村", fund=fund
    )
    with pytest.raises(DomainError, match="余额 100.00 元，不足"):
        services.disbursement_approve(actor=charity["checker"], disbursement=d)
    d.refresh_from_db()
    assert d.status == "proposed" and not LedgerEntry.objects.filter(disbursement=d).exists()
    ok = services.disbursement_propose(
        actor=charity["maker"], org=org, amount="100", purpose="救助", beneficiary_name="某村", fund=fund
    )
    services.disbursement_approve(actor=charity["checker"], disbursement=ok)
    assert services.balance(org, fund=fund) == D("0.00")


@pytest.mark.django_db
def test_maker_cannot_approve_own_disbursement(charity, donor):
    _give(charity, donor, "100")
    d = services.disbursement_propose(
        actor=charity["maker"], org=charity["org"], amount="10", purpose="救助", beneficiary_name="某村"
    )
    with pytest.raises(DomainError, match="另一名工作人员"):
        services.disbursement_approve(actor=charity["maker"], disbursement=d)
    services.disbursement_approve(actor=charity["checker"], disbursement=d)


@pytest.mark.django_db
def test_a_donation_has_one_entry_and_one_active_receipt_line_in_the_database(charity, donor):
    """The partial unique indexes are there (0004 had dropped them; 0005 restores
    them): a second entry for a donation, or a second active receipt line, fails
    in the database, whatever the code above it does."""
    from django.db import IntegrityError

    from charity.models import ReceiptLine

    gift = _give(charity, donor, "100")
    receipt = services.receipt_issue(actor=charity["maker"], donation=gift)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(organisation=charity["org"], kind="donation", amount=D("100"), donation=gift,
                                   entered_on=gift.received_on)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceiptLine.objects.create(receipt=receipt, donation=_give(charity, donor, "5"), amount=D("5"))
        ReceiptLine.objects.create(receipt=receipt, donation=gift, amount=gift.amount)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'charity%%'")
        present = {row[0] for row in cursor.fetchall()}
    assert {"charity_ledger_donation_once", "charity_ledger_disbursement_once"} <= present
    assert {"charity_donation_one_active_receipt", "charity_donation_fund_set", "charity_ledger_fund_set"} <= present
    assert "charity_donation_fund_id_99b78cce" not in present  # the full index of NULLs is gone
