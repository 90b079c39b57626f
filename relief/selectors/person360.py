"""What relief shows on the core's person-360 and household pages
(civil_affairs.areas: Area.person_rows / household_rows / household_links).

Rows are scoped like relief's own lists (the user's jurisdiction, relief_view);
money (amounts, payments, price subsidies) only for roles that see the payroll
(payroll_view): a community worker sees which benefits and cases a person
has, not what they are paid.  A fixed number of queries whatever the number
of records (no N+1): one per kind of row."""

from __future__ import annotations

from django.db.models import Count, Q, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.areas import Link, Row
from civil_affairs.models import HouseholdMember
from civil_affairs.months import twelve_month_window
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import jurisdiction_prefix

from ..models import Benefit, Payment, PriceSubsidy
from .applications import application_list_for_user, benefit_list_for_user

AREA = "relief"


def _benefit_rows(user, benefits, *, money: bool) -> list[Row]:
    return [
        Row(
            area=AREA,
            kind=b.get_kind_display(),
            status=b.get_status_display(),
            since=b.start_month,
            title=_("家庭 %(h)s，保障 %(n)d 人，领取人 %(r)s")
            % {"h": b.household.number, "n": b.members, "r": b.recipient.name},
            amount=b.monthly_amount if money else None,
            url=reverse("relief:benefit_detail", args=[b.pk]),
        )
        for b in benefits.order_by("-start_month", "-id")
    ]


def _application_rows(applications) -> list[Row]:
    return [
        Row(
            area=AREA,
            kind=_("救助申请"),
            status=a.get_state_display(),
            since=a.accepted_on or a.created_at.date(),
            title=f"{a.number} {a.get_kind_display()}",
            url=reverse("relief:application_detail", args=[a.pk]),
        )
        for a in applications.order_by("-created_at", "-id")
    ]


def _money_rows(user, payments, subsidies) -> list[Row]:
    """Payments and price subsidies of the last 12 months, one total row each."""
    start, _end = twelve_month_window(clock.today())
    paid = payments.filter(month__gte=start).aggregate(n=Count("id"), total=Sum("amount"))
    subsidy = subsidies.filter(month__gte=start).aggregate(n=Count("id"), total=Sum("amount"))
    rows = []
    if paid["n"]:
        rows.append(
            Row(
                area=AREA,
                kind=_("救助金发放"),
                since=start,
                amount=paid["total"],
                title=_("近12个月 %(n)d 笔") % {"n": paid["n"]},
            )
        )
    if subsidy["n"]:
        rows.append(
            Row(
                area=AREA,
                kind=_("物价补贴"),
                since=start,
                amount=subsidy["total"],
                title=_("近12个月 %(n)d 笔") % {"n": subsidy["n"]},
            )
        )
    return rows


def _in_scope(qs, user):
    prefix = jurisdiction_prefix(user)
    return qs.none() if prefix is None else qs.filter(region__code__startswith=prefix)


def person_rows(user, person) -> list[Row]:
    """Benefits the person is paid or lives on (recipient, or a member of the
    household), their applications, and money of the last 12 months."""
    if not has_capability(user, "relief_view"):
        return []
    # A person belongs to one household at most (HouseholdMember.person is unique): a scalar subquery keeps
    # "recipient = p OR household = h" on two index scans (an IN (…) made PostgreSQL scan every benefit).
    household = Subquery(HouseholdMember.objects.filter(person=person).values("household_id")[:1])
    money = has_capability(user, "payroll_view")
    benefits = benefit_list_for_user(user).filter(Q(recipient=person) | Q(household=household))
    applications = application_list_for_user(user).filter(Q(applicant=person) | Q(household=household))
    rows = _benefit_rows(user, benefits, money=money) + _application_rows(applications)
    if money:
        # Payments of those benefits (through the (benefit, month) index: a join with an OR scanned every
        # line); the price subsidies paid to the person.
        of_benefits = Benefit.objects.filter(Q(recipient=person) | Q(household=household)).values("id")
        rows += _money_rows(
            user,
            _in_scope(Payment.objects.filter(benefit__in=of_benefits), user),
            _in_scope(PriceSubsidy.objects.filter(person=person), user),
        )
    return rows


def household_rows(user, household) -> list[Row]:
    if not has_capability(user, "relief_view"):
        return []
    money = has_capability(user, "payroll_view")
    rows = _benefit_rows(
        user, benefit_list_for_user(user).filter(household=household), money=money
    ) + _application_rows(application_list_for_user(user).filter(household=household))
    if money:
        members = HouseholdMember.objects.filter(household=household).values("person_id")
        of_benefits = Benefit.objects.filter(household=household).values("id")
        rows += _money_rows(
            user,
            _in_scope(Payment.objects.filter(benefit__in=of_benefits), user),
            _in_scope(PriceSubsidy.objects.filter(person__in=members), user),
        )
    return rows


def household_links(user, household) -> list[Link]:
    """The household's open cases and economic summary; 受理新申请 for caseworkers."""
    if not has_capability(user, "relief_view"):
        return []
    # Each application and benefit of the household is a row with its own link; the queue shows the open ones.
    links = [
        Link(_("办理中的救助申请"), f"{reverse('relief:queue')}?q={household.number}"),
        Link(_("家庭经济状况核对"), reverse("relief:household_economy", args=[household.pk])),
    ]
    if has_capability(user, "relief_handle"):
        links.append(
            Link(_("受理新申请"), f"{reverse('relief:application_new')}?household={household.number}", primary=True)
        )
    return links
