"""Every read the charity screens and API need, scoped in one place.

Who sees which organisation: charity staff only the organisation their
StaffMembership binds them to; the bureau, reviewers and auditors the
organisations registered in their region subtree; anyone else nothing.
Every donor, donation, receipt and disbursement is reached through
`organisations_for_user`, so another organisation's records are 404."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civil_affairs.areas import Row
from civil_affairs.clock import today as clock_today
from civil_affairs.models import Region, Role
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import jurisdiction_prefix

from . import rules
from .models import (
    Campaign,
    Disbursement,
    Disclosure,
    Donation,
    Donor,
    Fund,
    LedgerEntry,
    LedgerTotal,
    Organisation,
    Project,
    Receipt,
    ReceiptLine,
    StaffMembership,
)

ZERO = Decimal("0.00")


def staff_organisation_id(user) -> int | None:
    """The organisation a charity_staff user is bound to (None if unbound or other roles)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.CHARITY_STAFF:
        return None
    cached = getattr(user, "_charity_org_id", False)
    if cached is False:
        cached = StaffMembership.objects.filter(user=user).values_list("organisation_id", flat=True).first()
        user._charity_org_id = cached
    return cached


def organisations_for_user(user) -> QuerySet[Organisation]:
    if not has_capability(user, "charity_view"):
        return Organisation.objects.none()
    if user.role == Role.CHARITY_STAFF:
        org_id = staff_organisation_id(user)
        return Organisation.objects.filter(pk=org_id) if org_id else Organisation.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(region__code__startswith=prefix)


def organisation_get_for_user(user, pk) -> Organisation:
    org = organisations_for_user(user).select_related("region").filter(pk=pk).first()
    if org is None:
        raise Http404
    return org


def _in_orgs(qs: QuerySet, user) -> QuerySet:
    return qs.filter(organisation__in=organisations_for_user(user).values("pk"))


def donor_list_for_user(user) -> QuerySet[Donor]:
    return _in_orgs(Donor.objects.select_related("organisation"), user)


def donor_get_for_user(user, pk) -> Donor:
    donor = donor_list_for_user(user).filter(pk=pk).first()
    if donor is None:
        raise Http404
    return donor


def with_receipts(qs: QuerySet[Donation]) -> QuerySet[Donation]:
    """Each donation's active receipt line (and its receipt) in one more query: `donation.receipt`."""
    return qs.prefetch_related(
        Prefetch(
            "receipt_lines",
            queryset=ReceiptLine.objects.filter(active=True).select_related("receipt"),
            to_attr="active_lines",
        )
    )


def donation_list_for_user(user) -> QuerySet[Donation]:
    return with_receipts(_in_orgs(Donation.objects.select_related("donor", "campaign", "fund", "project"), user))


def donation_get_for_user(user, pk) -> Donation:
    donation = donation_list_for_user(user).select_related("organisation").filter(pk=pk).first()
    if donation is None:
        raise Http404
    return donation


def receipt_list_for_user(user) -> QuerySet[Receipt]:
    return _in_orgs(Receipt.objects.select_related("donor", "organisation"), user)


def receipt_get_for_user(user, pk) -> Receipt:
    receipt = receipt_list_for_user(user).filter(pk=pk).first()
    if receipt is None:
        raise Http404
    return receipt


def receipt_lines(receipt: Receipt):
    return receipt.lines.select_related("donation__campaign").order_by("donation__received_on", "donation_id")


def disbursement_list_for_user(user) -> QuerySet[Disbursement]:
    return _in_orgs(
        Disbursement.objects.select_related("person", "household", "fund", "project", "proposed_by", "decided_by"), user
    )


def disbursement_get_for_user(user, pk) -> Disbursement:
    d = disbursement_list_for_user(user).select_related("organisation").filter(pk=pk).first()
    if d is None:
        raise Http404
    return d


def campaign_get_for_user(user, pk) -> Campaign:
    c = _in_orgs(Campaign.objects.select_related("organisation", "fund", "project"), user).filter(pk=pk).first()
    if c is None:
        raise Http404
    return c


def ledger_for_user(user) -> QuerySet[LedgerEntry]:
    return _in_orgs(LedgerEntry.objects.select_related("fund", "project"), user)


# ---------------------------------------------------------------- figures from the ledger


@dataclass
class YearFigures:
    year: int
    income: Decimal = ZERO
    charitable: Decimal = ZERO  # disbursements
    management: Decimal = ZERO
    entries: int = 0

    @property
    def spending(self) -> Decimal:
        return self.charitable + self.management


def yearly_figures(org_ids: list[int] | None = None) -> dict[int, dict[int, YearFigures]]:
    """{org id: {year: figures}} from the trigger-kept ledger totals (one query)."""
    qs = LedgerTotal.objects.exclude(kind="transfer")
    if org_ids is not None:
        qs = qs.filter(organisation_id__in=org_ids)
    out: dict[int, dict[int, YearFigures]] = defaultdict(dict)
    for org_id, year, kind, amount, n in (
        qs.values("organisation_id", "year", "kind").annotate(a=Sum("amount"), n=Sum("entries"))
        .values_list("organisation_id", "year", "kind", "a", "n")
    ):  # fmt: skip
        f = out[org_id].setdefault(year, YearFigures(year))
        if kind == "donation":
            f.income += amount
            f.entries += n
        elif kind == "disbursement":
            f.charitable += -amount
        elif kind == "management_cost":
            f.management += -amount
    return out


def pot_balances(org: Organisation) -> dict[tuple[int, int], Decimal]:
    """{(fund id or 0, project id or 0): balance}, the ledger summed."""
    rows = (
        LedgerTotal.objects.filter(organisation=org)
        .values("fund_key", "project_key")
        .annotate(a=Sum("amount"))
        .values_list("fund_key", "project_key", "a")
    )
    return {(f, p): a for f, p, a in rows}


def funds_with_balance(org: Organisation) -> list[Fund]:
    balances = pot_balances(org)
    funds = list(Fund.objects.filter(organisation=org).order_by("-is_named", "name"))
    for f in funds:
        f.balance = sum((a for (fk, _p), a in balances.items() if fk == f.pk), ZERO)
    return funds


def projects_with_balance(org: Organisation) -> list[Project]:
    balances = pot_balances(org)
    projects = list(Project.objects.filter(organisation=org).select_related("fund").order_by("-starts_on", "name"))
    for p in projects:
        p.balance = sum((a for (_f, pk), a in balances.items() if pk == p.pk), ZERO)
    return projects


def unrestricted_balance(org: Organisation) -> Decimal:
    return pot_balances(org).get((0, 0), ZERO)


def campaigns_with_totals(org: Organisation) -> list[Campaign]:
    """Campaigns with what they raised, from the ledger's totals (net of reversals)."""
    raised = dict(
        LedgerTotal.objects.filter(organisation=org, kind="donation")
        .exclude(campaign_key=0)
        .values("campaign_key")
        .annotate(a=Sum("amount"), n=Sum("entries"))
        .values_list("campaign_key", "a")
    )
    campaigns = list(
        Campaign.objects.filter(organisation=org).select_related("plan", "fund", "project").order_by("-starts_on")
    )
    for c in campaigns:
        c.raised = raised.get(c.pk, ZERO)
    return campaigns


# ---------------------------------------------------------------- statutory checks and disclosure


def checks_for(
    org: Organisation,
    year: int,
    figures: dict[int, YearFigures] | None = None,
    standards: rules.Standards | None = None,
) -> list[rules.Finding]:
    """This year's spending against last year's income (or net assets), and the cost ratio."""
    from .services import standards_for

    figures = figures if figures is not None else yearly_figures([org.pk]).get(org.pk, {})
    this, last = figures.get(year, YearFigures(year)), figures.get(year - 1, YearFigures(year - 1))
    return rules.spending_checks(
        org_type=org.org_type,
        public_fundraising=org.public_fundraising,
        net_assets_last_year=org.net_assets_last_year,
        income_last_year=last.income,
        charitable_spending=this.charitable,
        management_cost=this.management,
        s=standards or standards_for(org, dt.date(year, 12, 31)),
    )


@dataclass
class Obligation:
    label: str
    due: dt.date
    state: str  # done | due | overdue | upcoming
    kind: str = ""
    extra: dict = field(default_factory=dict)


STATE_LABELS = {
    "done": _lazy("已公开"),
    "due": _lazy("即将到期"),
    "overdue": _lazy("已逾期"),
    "upcoming": _lazy("未到期"),
}


def obligations(org: Organisation, today: dt.date | None = None) -> list[Obligation]:
    """Disclosure obligations: last year's annual report by 31 May, and the
    periodic and final accounts of campaigns and projects."""
    today = today or clock_today()
    published = defaultdict(list)
    for kind, c, p, y, day in Disclosure.objects.filter(organisation=org).values_list(
        "kind", "campaign_id", "project_id", "year", "published_on"
    ):
        published[(kind, c or p or y)].append(day)
    out = []
    last_year = today.year - 1
    if org.registered_on.year <= last_year:
        due = rules.annual_report_due(last_year)
        out.append(
            Obligation(
                _("%(y)d年度工作报告和财务会计报告") % {"y": last_year},
                due,
                rules.obligation_state(due, published[("annual", last_year)], today, window_months=5),
                "annual",
            )
        )
    for c in Campaign.objects.filter(organisation=org, is_public=True, starts_on__lte=today):
        for due, what in rules.periodic_due_dates(c.starts_on, c.ends_on, today):
            label = (_("募捐活动“%(n)s”定期公开") if what == "periodic" else _("募捐活动“%(n)s”结束后全面公开")) % {
                "n": c.name
            }
            out.append(
                Obligation(label, due, rules.obligation_state(due, published[("campaign", c.pk)], today), "campaign")
            )
    for p in Project.objects.filter(organisation=org, starts_on__lte=today):
        for due, what in rules.periodic_due_dates(p.starts_on, p.ends_on, today):
            label = (_("慈善项目“%(n)s”实施情况定期公开") if what == "periodic" else _("慈善项目“%(n)s”结束后公开")) % {
                "n": p.name
            }
            out.append(
                Obligation(label, due, rules.obligation_state(due, published[("project", p.pk)], today), "project")
            )
    return sorted(out, key=lambda o: o.due)


def overdue_count(org: Organisation, today: dt.date | None = None) -> int:
    return sum(1 for o in obligations(org, today) if o.state == "overdue")


# ---------------------------------------------------------------- public disclosure (no login)


def public_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(recognition=Organisation.Recognition.RECOGNISED).select_related("region")


def public_organisation_get(pk) -> Organisation:
    org = public_organisations().filter(pk=pk).first()
    if org is None:
        raise Http404
    return org


def public_disbursements(org: Organisation, limit: int = 50) -> list[Disbursement]:
    """The latest paid disbursements; the page shows beneficiaries masked."""
    return list(
        Disbursement.objects.filter(organisation=org, status="approved")
        .select_related("person", "household", "project", "fund", "region")
        .order_by("-id")[:limit]  # the (organisation, status, id) index, read backwards: the latest first
    )


# ---------------------------------------------------------------- across areas


def _help_rows(qs) -> list[Row]:
    return [
        Row(
            area="charity",
            kind=_("慈善救助"),
            title=f"{d.organisation.name}：{d.purpose}",
            status=d.get_status_display(),
            since=d.paid_on,
            amount=d.amount,
        )
        for d in qs.select_related("organisation").order_by("-paid_on", "-id")[:20]
    ]


def person_rows(user, person) -> list[Row]:
    """Person 360: charity help received by the person or their household (the core
    has already checked the person is in the user's jurisdiction)."""
    if not has_capability(user, "registry_view"):
        return []
    from civil_affairs.selectors import person_membership

    membership = person_membership(person)
    q = Q(person=person)
    if membership is not None:
        q |= Q(household_id=membership.household_id)
    return _help_rows(Disbursement.objects.filter(q, status="approved"))


def household_rows(user, household) -> list[Row]:
    if not has_capability(user, "registry_view"):
        return []
    members = household.members.values("person_id")
    return _help_rows(Disbursement.objects.filter(Q(household=household) | Q(person_id__in=members), status="approved"))


def resident_donations(user) -> QuerySet[Donation]:
    """A registered resident's own donations (donors bound to their person)."""
    if not getattr(user, "is_verified_resident", False) or user.person_id is None:
        return Donation.objects.none()
    return with_receipts(
        Donation.objects.filter(donor__person_id=user.person_id)
        .select_related("organisation", "campaign")
        .order_by("-received_on", "-id")
    )


def resident_receipts(user) -> QuerySet[Receipt]:
    if not getattr(user, "is_verified_resident", False) or user.person_id is None:
        return Receipt.objects.none()
    return (
        Receipt.objects.filter(donor__person_id=user.person_id)
        .select_related("organisation")
        .order_by("-year", "-number")
    )


def resident_receipt_get(user, pk) -> Receipt:
    r = resident_receipts(user).filter(pk=pk).first()
    if r is None:
        raise Http404
    return r


# ---------------------------------------------------------------- dashboard and indicators


def _district_of(code: str) -> str:
    return code[:6].ljust(12, "0")


SHOWN_ROWS = 100


def dashboard(user, *, year: int, org: Organisation | None = None) -> dict:
    """City / district (the user's jurisdiction) or one organisation: raised this
    year and in total, donors, campaigns, funds, spending and cost ratios per
    organisation, towns and villages with a charity organisation, overdue disclosures."""
    orgs = [org] if org is not None else list(organisations_for_user(user).select_related("region"))
    ids = [o.pk for o in orgs]
    figures = yearly_figures(ids)
    from .services import standards_many

    standards = standards_many([o.region_id for o in orgs], dt.date(year, 12, 31))
    rows = []
    for o in orgs:
        f = figures.get(o.pk, {})
        this, last = f.get(year, YearFigures(year)), f.get(year - 1, YearFigures(year - 1))
        findings = checks_for(o, year, f, standards.get(o.region_id))
        rows.append(
            {
                "org": o,
                "raised_year": this.income,
                "raised_total": sum((y.income for y in f.values()), ZERO),
                "spending": this.charitable,
                "management": this.management,
                "spend_ratio": rules.ratio(this.charitable, last.income),
                "cost_ratio": rules.ratio(this.management, this.spending),
                "breaches": [x for x in findings if x.breach],
            }
        )
    from civil_affairs.listing import result_count

    donors = result_count(Donor.objects.filter(organisation_id__in=ids))  # exact up to 1 000, else the estimate
    campaigns = Campaign.objects.filter(organisation_id__in=ids).count()
    funds = Fund.objects.filter(organisation_id__in=ids).count()
    overdue = sum(overdue_count(o) for o in orgs) if len(orgs) <= 200 else None
    coverage = None
    if org is None:
        prefix = jurisdiction_prefix(user) or ""
        towns = Region.objects.filter(code__startswith=prefix, level__gte=Region.Level.TOWNSHIP)
        with_org = towns.filter(
            code__in=Organisation.objects.filter(region__code__startswith=prefix).values("region_id")
        )
        total = towns.count()
        coverage = {"total": total, "with_org": with_org.count()}
    by_district: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        by_district[_district_of(r["org"].region_id)] += r["raised_year"]
    names = dict(Region.objects.filter(code__in=list(by_district)).values_list("code", "name"))
    chart = {
        "labels": [names.get(code, code) for code in sorted(by_district)],
        "data": [str(by_district[code]) for code in sorted(by_district)],
    }
    # the page lists the organisations in breach and the largest by this year's takings; the export has them all
    shown = sorted(rows, key=lambda r: (not r["breaches"], -r["raised_year"], r["org"].pk))[:SHOWN_ROWS]
    return {
        "rows": rows,
        "shown": shown,
        "hidden": len(rows) - len(shown),
        "raised_year": sum((r["raised_year"] for r in rows), ZERO),
        "raised_total": sum((r["raised_total"] for r in rows), ZERO),
        "donors": donors,
        "campaigns": campaigns,
        "funds": funds,
        "overdue": overdue,
        "coverage": coverage,
        "chart": chart,
        "year": year,
    }


def _sum_by_district(qs, region, value) -> dict[str, Decimal]:
    rows = (
        qs.filter(organisation__region__code__startswith=region.prefix)
        .order_by()
        .annotate(d=Substr("organisation__region_id", 1, 6))
        .values("d")
        .annotate(v=value)
        .values_list("d", "v")
    )
    return {d.ljust(12, "0"): v for d, v in rows}


def raised_this_year(region, day: dt.date) -> dict[str, Decimal]:
    return _sum_by_district(LedgerTotal.objects.filter(kind="donation", year=day.year), region, Sum("amount"))


def raised_total(region, day: dt.date) -> dict[str, Decimal]:
    return _sum_by_district(LedgerTotal.objects.filter(kind="donation", year__lte=day.year), region, Sum("amount"))


def organisations_count(region, day: dt.date) -> dict[str, int]:
    rows = (
        Organisation.objects.filter(region__code__startswith=region.prefix)
        .order_by()
        .annotate(d=Substr("region_id", 1, 6))
        .values("d")
        .annotate(n=Count("id"))
        .values_list("d", "n")
    )
    return {d.ljust(12, "0"): n for d, n in rows}


def donors_count(region, day: dt.date) -> dict[str, int]:
    return _sum_by_district(Donor.objects.all(), region, Count("id"))
