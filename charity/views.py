"""Charity pages: thin views over selectors (scoped reads) and services (writes).

Workbench /work/charity/ (staff), residents' portal /my/charity/, and the
public disclosure pages /charity/ (no login: figures from the ledger,
beneficiaries masked)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs.batches import batchrun_enqueue
from civil_affairs.clock import today as clock_today
from civil_affairs.errors import DomainError
from civil_affairs.exports import xlsx_response
from civil_affairs.listing import export_requested, list_page, xlsx_export
from civil_affairs.models import Household, Person, Region, Role
from civil_affairs.permissions import has_capability, require, resident_required
from civil_affairs.rules import mask_id_number, mask_name
from civil_affairs.selectors import scoped
from civil_affairs.services import export_recorded, keep_upload, record_viewed

from . import batch, rules, selectors, services
from .models import Campaign, Disbursement, Disclosure, Donor, Fund, LedgerEntry, Organisation, Project


def _date(value, label) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(_("%(l)s日期无效，请按 YYYY-MM-DD 填写。") % {"l": label}) from None


def _own(user, org: Organisation) -> None:
    """Writes are for the organisation's own staff."""
    if selectors.staff_organisation_id(user) != org.pk:
        raise PermissionDenied


def _pick(model, org, pk):
    if not pk:
        return None
    found = model.objects.filter(organisation=org, pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise DomainError(_("所选项目不属于本组织。"))
    return found


# ---------------------------------------------------------------- organisations


@require("charity_view")
def index(request):
    org_id = selectors.staff_organisation_id(request.user)
    if org_id:
        return redirect("charity:org_detail", org_id)
    year = clock_today().year
    orgs = selectors.organisations_for_user(request.user).select_related("region")
    ctx = list_page(request, orgs, sorts=("id", "name", "region"), default="id")
    figures = selectors.yearly_figures([o.pk for o in ctx["page"].items])
    standards = services.standards_many([o.region_id for o in ctx["page"].items], dt.date(year, 12, 31))
    for o in ctx["page"].items:
        f = figures.get(o.pk, {})
        o.raised_year = f.get(year, selectors.YearFigures(year)).income
        o.warnings = [x for x in selectors.checks_for(o, year, f, standards.get(o.region_id)) if x.breach]
    return render(request, "charity/index.html", {**ctx, "year": year})


@require("charity_supervise")
def org_new(request):
    regions = scoped(Region.objects.filter(level__gte=Region.Level.CITY), request.user, "code").order_by("code")[:500]
    if request.method == "POST":
        p = request.POST
        try:
            region = regions.model.objects.filter(code=p.get("region", "")).first()
            if region is None or not region.code.startswith(request.user.region.prefix):
                raise DomainError(_("请选择辖区内的区划。"))
            org = services.organisation_create(
                actor=request.user,
                name=p.get("name", "").strip() or _raise(_("请填写组织名称。")),
                region=region,
                org_type=p.get("org_type", "")
                if p.get("org_type") in Organisation.Type.values
                else _raise(_("请选择组织类型。")),
                registered_on=_date(p.get("registered_on", ""), _("登记")),
            )
            messages.success(request, _("已登记慈善组织：%(n)s") % {"n": org.name})
            return redirect("charity:org_detail", org.pk)
        except DomainError as exc:
            messages.error(request, str(exc))
    return render(request, "charity/org_new.html", {"regions": regions, "types": Organisation.Type.choices})


def _raise(message):
    raise DomainError(message)


def _org_page(request, pk, page: str) -> Organisation:
    """The organisation the user may open, with an audit row for this page: its pages list
    donors and beneficiaries (an export is audited as such instead; a POST by its service)."""
    org = selectors.organisation_get_for_user(request.user, pk)
    if request.method == "GET" and not export_requested(request):
        record_viewed(actor=request.user, target=org, changes={"page": page})
    return org


@require("charity_view")
def org_detail(request, pk):
    org = _org_page(request, pk, "organisation")
    today = clock_today()
    figures = selectors.yearly_figures([org.pk]).get(org.pk, {})
    ctx = {
        "org": org,
        "today": today,
        "years": sorted(figures.values(), key=lambda f: -f.year),
        "funds": selectors.funds_with_balance(org),
        "projects": selectors.projects_with_balance(org),
        "campaigns": selectors.campaigns_with_totals(org),
        "unrestricted": selectors.unrestricted_balance(org),
        "findings": selectors.checks_for(org, today.year, figures),
        "obligations": selectors.obligations(org, today),
        "state_labels": selectors.STATE_LABELS,
        "qualification": services.qualification(org, today),
        "governance": [(k, label, org.governance.get(k, False)) for k, label in rules.GOVERNANCE.items()],
        "recognition_due": services.recognition_due(org),
        "own": selectors.staff_organisation_id(request.user) == org.pk,
        "pending": Disbursement.objects.filter(organisation=org, status="proposed").count(),
        "disclosure_kinds": Disclosure.Kind.choices,
    }
    return render(request, "charity/org_detail.html", ctx)


@require_POST
@require("charity_supervise")
def supervise(request, pk):
    """The registering department: recognition, governance checklist, public-fundraising status."""
    org = selectors.organisation_get_for_user(request.user, pk)
    p, action = request.POST, request.POST.get("action")
    try:
        if action == "apply":
            services.recognition_apply(actor=request.user, org=org, applied_on=_date(p.get("on", ""), _("申请")))
        elif action in ("recognise", "refuse"):
            services.recognition_decide(
                actor=request.user, org=org, approve=action == "recognise", on=_date(p.get("on", ""), _("决定")),
                reason=p.get("reason", ""),
            )  # fmt: skip
        elif action == "governance":
            services.governance_update(actor=request.user, org=org, checklist={k: k in p for k in rules.GOVERNANCE})
        elif action == "grant":
            services.public_fundraising_grant(actor=request.user, org=org, on=_date(p.get("on", ""), _("取得资格")))
        else:
            raise DomainError(_("未知的操作。"))
        messages.success(request, _("已保存。"))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("charity:org_detail", org.pk)


@require_POST
@require("charity_handle")
def setup(request, pk):
    """The organisation's own staff: funds, projects, campaigns, plan filing, disclosures, costs, transfers."""
    org = selectors.organisation_get_for_user(request.user, pk)
    _own(request.user, org)
    p, action, user = request.POST, request.POST.get("action"), request.user
    try:
        if action == "fund":
            services.fund_create(actor=user, org=org, name=p.get("name", "").strip() or _raise(_("请填写基金名称。")),
                                 is_named="is_named" in p)  # fmt: skip
        elif action == "project":
            services.project_create(
                actor=user, org=org, name=p.get("name", "").strip() or _raise(_("请填写项目名称。")),
                starts_on=_date(p.get("starts_on", ""), _("开始")),
                ends_on=_date(p["ends_on"], _("结束")) if p.get("ends_on") else None,
                fund=_pick(Fund, org, p.get("fund")),
            )  # fmt: skip
        elif action == "campaign":
            services.campaign_create(
                actor=user, org=org, name=p.get("name", "").strip() or _raise(_("请填写募捐活动名称。")),
                starts_on=_date(p.get("starts_on", ""), _("开始")), ends_on=_date(p.get("ends_on", ""), _("结束")),
                is_public="is_public" in p, fund=_pick(Fund, org, p.get("fund")),
                project=_pick(Project, org, p.get("project")),
            )  # fmt: skip
        elif action == "plan":
            services.plan_file(
                actor=user, campaign=_pick(Campaign, org, p.get("campaign")) or _raise(_("请选择募捐活动。")),
                filed_on=_date(p.get("filed_on", ""), _("备案")), record_number=p.get("record_number", ""),
            )  # fmt: skip
        elif action == "disclosure":
            services.disclosure_record(
                actor=user, org=org, kind=p.get("kind", ""), published_on=_date(p.get("published_on", ""), _("公开")),
                campaign=_pick(Campaign, org, p.get("campaign")), project=_pick(Project, org, p.get("project")),
                year=int(p["year"]) if p.get("year", "").isdigit() else None,
            )  # fmt: skip
        elif action == "cost":
            services.management_cost_record(actor=user, org=org, amount=p.get("amount", ""), reason=p.get("reason", ""))
        elif action == "transfer":
            services.transfer(
                actor=user, org=org, amount=p.get("amount", ""), reason=p.get("reason", ""),
                source=_pick(Fund, org, p.get("source")), target=_pick(Fund, org, p.get("target")),
            )  # fmt: skip
        else:
            raise DomainError(_("未知的操作。"))
        messages.success(request, _("已保存。"))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("charity:org_detail", org.pk)


# ---------------------------------------------------------------- donations


@require("charity_view")
def donations(request, pk):
    org = _org_page(request, pk, "donations")
    qs = selectors.donation_list_for_user(request.user).filter(organisation=org)
    if request.GET.get("campaign", "").isdigit():
        qs = qs.filter(campaign_id=request.GET["campaign"])
    if export_requested(request):
        return xlsx_export(
            request,
            target_type="charity.donation",
            filename="donations.xlsx",
            sheet=_("捐赠"),
            headers=[_("日期"), _("捐赠人"), _("形式"), _("金额（元）"), _("募捐活动"), _("流水号"), _("票据")],
            qs=qs,
            row=lambda d: [d.received_on, _("匿名") if d.anonymous else d.donor.name, d.get_kind_display(), d.amount,
                           d.campaign.name if d.campaign else "", d.transaction_id, d.receipt.code if d.receipt else ""],
            order=("received_on", "pk"),
        )  # fmt: skip
    ctx = list_page(request, qs, sorts=("id", "received_on", "amount"), default="-id")
    return render(
        request,
        "charity/donations.html",
        {**ctx, "org": org, "own": selectors.staff_organisation_id(request.user) == org.pk},
    )


BATCH_ROWS = 10


@require("charity_handle")
def batch_entry(request, pk):
    """A drive's donations entered in one form; a bad row refuses the batch and every typed row is shown again."""
    org = selectors.organisation_get_for_user(request.user, pk)
    _own(request.user, org)
    campaigns = Campaign.objects.filter(organisation=org).order_by("-starts_on")
    rows = [{} for _i in range(BATCH_ROWS)]
    chosen, day = request.GET.get("campaign", ""), clock_today().isoformat()
    if request.method == "POST":
        p = request.POST
        chosen, day = p.get("campaign", ""), p.get("received_on", "")
        rows = [
            {
                "name": p.get(f"name_{i}", "").strip(),
                "kind": p.get(f"kind_{i}", "person"),
                "id_number": p.get(f"id_number_{i}", "").strip(),
                "amount": p.get(f"amount_{i}", "").strip(),
                "anonymous": f"anonymous_{i}" in p,
                "receipt_declined": f"declined_{i}" in p,
            }
            for i in range(int(p.get("rows", BATCH_ROWS)) if p.get("rows", "").isdigit() else BATCH_ROWS)
        ]
        filled = [r for r in rows if r["name"] or r["amount"] or r["anonymous"]]
        try:
            made = services.donations_batch(
                actor=request.user, org=org, campaign=_pick(Campaign, org, chosen),
                received_on=_date(day, _("捐赠")), rows=filled,
            )  # fmt: skip
            messages.success(
                request, _("已登记 %(n)d 笔捐赠，合计 %(t)s 元。") % {"n": len(made), "t": sum(d.amount for d in made)}
            )
            return redirect(reverse("charity:donations", args=[org.pk]) + (f"?campaign={chosen}" if chosen else ""))
        except DomainError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "charity/batch_entry.html",
        {"org": org, "campaigns": campaigns, "rows": rows, "chosen": chosen, "day": day, "kinds": Donor.Kind.choices},
    )


@require("charity_handle")
def statement_import(request, pk):
    org = selectors.organisation_get_for_user(request.user, pk)
    _own(request.user, org)
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        try:
            if uploaded is None:
                raise DomainError(_("请选择要导入的流水文件。"))
            ext = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
            if ext not in ("csv", "xlsx"):
                raise DomainError(_("只接受 CSV 或 Excel（.xlsx）文件。"))
            if uploaded.size > 200 * 1024 * 1024:
                raise DomainError(_("流水文件不能超过 200 MB。"))
            with transaction.atomic():
                run = batch.statement_start(
                    user=request.user, org=org, path="", filename=uploaded.name,
                    campaign=_pick(Campaign, org, request.POST.get("campaign")),
                )  # fmt: skip
                keep_upload(run=run, uploaded=uploaded, ext=ext)  # kept with the run, not in /tmp
                batchrun_enqueue(run)
            return redirect("workbench:batch_detail", run.pk)
        except DomainError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "charity/statement_import.html",
        {"org": org, "campaigns": Campaign.objects.filter(organisation=org), "columns": batch.COLUMNS},
    )


@require("charity_view")
def donor_detail(request, pk):
    donor = selectors.donor_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=donor, changes={"organisation": donor.organisation_id})
    gifts = selectors.donation_list_for_user(request.user).filter(donor=donor).order_by("-received_on", "-id")[:200]
    receipts = selectors.receipt_list_for_user(request.user).filter(donor=donor).order_by("-year", "-number")[:100]
    return render(
        request,
        "charity/donor_detail.html",
        {"donor": donor, "gifts": gifts, "receipts": receipts, "masked_id": mask_id_number(donor.id_number)},
    )


@require_POST
@require("charity_handle")
def donation_action(request, pk, action):
    d = selectors.donation_get_for_user(request.user, pk)
    _own(request.user, d.organisation)
    try:
        if action == "receipt":
            r = services.receipt_issue(actor=request.user, donation=d, e_code=request.POST.get("e_code", ""))
            messages.success(request, _("已开具票据 %(c)s。") % {"c": r.code})
        elif action == "decline":
            services.receipt_decline(actor=request.user, donation=d)
            messages.success(request, _("已记录：捐赠人不需要票据。"))
        elif action == "reverse":
            entry = LedgerEntry.objects.filter(donation=d, reverses__isnull=True).first()
            if entry is None:
                raise DomainError(_("没有可冲正的分录。"))
            services.ledger_reverse(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
            messages.success(request, _("已冲正。"))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("charity:donations", d.organisation_id)


# ---------------------------------------------------------------- receipts


@require("charity_view")
def receipts(request, pk):
    org = _org_page(request, pk, "receipts")
    qs = selectors.receipt_list_for_user(request.user).filter(organisation=org)
    if request.GET.get("year", "").isdigit():
        qs = qs.filter(year=int(request.GET["year"]))
    if request.method == "POST":
        if not has_capability(request.user, "charity_receipts_run"):
            raise PermissionDenied
        if request.user.role == Role.CHARITY_STAFF:
            _own(request.user, org)
        try:
            run = batch.receipts_start(org=org, year=request.POST.get("year", ""), user=request.user)
            batchrun_enqueue(run)
            return redirect("workbench:batch_detail", run.pk)
        except DomainError as exc:
            messages.error(request, str(exc))
    ctx = list_page(request, qs, sorts=("id", "number"), default="-id")
    return render(
        request,
        "charity/receipts.html",
        {
            **ctx,
            "org": org,
            "year": clock_today().year,
            "can_run": has_capability(request.user, "charity_receipts_run"),
        },
    )


@require("charity_view")
def receipt_print(request, pk):
    receipt = selectors.receipt_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=receipt, changes={"print": True})
    return render(
        request, "charity/receipt_print.html", {"receipt": receipt, "lines": selectors.receipt_lines(receipt)}
    )


@require_POST
@require("charity_handle")
def receipt_void(request, pk):
    receipt = selectors.receipt_get_for_user(request.user, pk)
    _own(request.user, receipt.organisation)
    try:
        services.receipt_void(actor=request.user, receipt=receipt, reason=request.POST.get("reason", ""))
        messages.success(request, _("票据 %(c)s 已作废，号码保留。") % {"c": receipt.code})
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("charity:receipts", receipt.organisation_id)


# ---------------------------------------------------------------- disbursements and the ledger


def _beneficiary(request, org):
    """A registry person (full ID number) or household (its number), found through
    the core's scoped selector in the user's region; or an organisation by name."""
    p = request.POST
    person = household = None
    if p.get("id_number", "").strip():
        person = (
            scoped(Person.objects.all(), request.user, "residence_region__code")
            .filter(id_number=p["id_number"].strip().upper())
            .first()
        )
        if person is None:
            raise DomainError(_("辖区内没有该身份证号码的登记人员。"))
    elif p.get("household", "").strip():
        household = (
            scoped(Household.objects.all(), request.user, "region__code").filter(number=p["household"].strip()).first()
        )
        if household is None:
            raise DomainError(_("辖区内没有该户编号的家庭。"))
    return person, household, p.get("beneficiary_name", "")


@require("charity_view")
def disbursements(request, pk):
    org = _org_page(request, pk, "disbursements")
    own = selectors.staff_organisation_id(request.user) == org.pk
    if request.method == "POST":
        if not own or not has_capability(request.user, "charity_handle"):
            raise PermissionDenied
        try:
            person, household, name = _beneficiary(request, org)
            d = services.disbursement_propose(
                actor=request.user, org=org, amount=request.POST.get("amount", ""), purpose=request.POST.get("purpose", ""),
                person=person, household=household, beneficiary_name=name,
                fund=_pick(Fund, org, request.POST.get("fund")), project=_pick(Project, org, request.POST.get("project")),
            )  # fmt: skip
            messages.success(request, _("已提出支出，待本组织另一名工作人员审批。"))
            return redirect("charity:disbursement_detail", d.pk)
        except DomainError as exc:
            messages.error(request, str(exc))
    qs = selectors.disbursement_list_for_user(request.user).filter(organisation=org)
    ctx = list_page(request, qs, sorts=("id", "amount"), default="-id")
    return render(
        request,
        "charity/disbursements.html",
        {**ctx, "org": org, "own": own, "funds": Fund.objects.filter(organisation=org),
         "projects": Project.objects.filter(organisation=org)},
    )  # fmt: skip


@require("charity_view")
def disbursement_detail(request, pk):
    d = selectors.disbursement_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=d)
    own = selectors.staff_organisation_id(request.user) == d.organisation_id
    return render(request, "charity/disbursement_detail.html", {"d": d, "own": own})


@require_POST
@require("charity_approve")
def disbursement_decide(request, pk):
    d = selectors.disbursement_get_for_user(request.user, pk)
    _own(request.user, d.organisation)
    try:
        if request.POST.get("action") == "approve":
            services.disbursement_approve(actor=request.user, disbursement=d)
            messages.success(request, _("已审批拨付。"))
        else:
            services.disbursement_reject(actor=request.user, disbursement=d, reason=request.POST.get("reason", ""))
            messages.success(request, _("已不予拨付。"))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("charity:disbursement_detail", d.pk)


@require("charity_view")
def ledger(request, pk):
    org = _org_page(request, pk, "ledger")
    qs = selectors.ledger_for_user(request.user).filter(organisation=org)
    ctx = list_page(request, qs, sorts=("id",), default="-id")
    return render(request, "charity/ledger.html", {**ctx, "org": org})


# ---------------------------------------------------------------- dashboard


@require("charity_dashboard")
def dashboard(request):
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else clock_today().year
    org = None
    org_id = selectors.staff_organisation_id(request.user)
    if org_id or request.GET.get("org", "").isdigit():
        org = selectors.organisation_get_for_user(request.user, org_id or request.GET["org"])
    elif request.user.role == Role.CHARITY_STAFF:
        raise Http404
    data = selectors.dashboard(request.user, year=year, org=org)
    if export_requested(request):
        export_recorded(actor=request.user, target_type="charity.dashboard", filters=request.GET.dict())
        headers = [_("慈善组织"), _("本年募捐（元）"), _("累计募捐（元）"), _("慈善活动支出（元）"), _("管理费用（元）"),
                   _("支出占上年收入（%）"), _("管理费用占比（%）"), _("预警")]  # fmt: skip
        rows = [
            [r["org"].name, r["raised_year"], r["raised_total"], r["spending"], r["management"], r["spend_ratio"],
             r["cost_ratio"], "；".join(f.message for f in r["breaches"])]
            for r in data["rows"]
        ]  # fmt: skip
        return xlsx_response(filename=f"charity-{year}.xlsx", sheet=_("慈善"), headers=headers, rows=rows)
    return render(request, "charity/dashboard.html", {**data, "org": org})


# ---------------------------------------------------------------- residents' portal


@resident_required
def mine(request):
    return render(
        request,
        "charity/portal_mine.html",
        {
            "gifts": selectors.resident_donations(request.user)[:200],
            "receipts": selectors.resident_receipts(request.user)[:100],
        },
    )


@resident_required
def my_receipt(request, pk):
    receipt = selectors.resident_receipt_get(request.user, pk)
    return render(
        request, "charity/receipt_print.html", {"receipt": receipt, "lines": selectors.receipt_lines(receipt)}
    )


# ---------------------------------------------------------------- public disclosure (no login)


def public_index(request):
    year = clock_today().year
    orgs = list(selectors.public_organisations().order_by("region_id", "id")[:500])
    figures = selectors.yearly_figures([o.pk for o in orgs])
    for o in orgs:
        f = figures.get(o.pk, {})
        o.this_year = f.get(year, selectors.YearFigures(year))
        o.total_income = sum((y.income for y in f.values()), selectors.ZERO)
    return render(request, "charity/public_index.html", {"orgs": orgs, "year": year})


def _masked_beneficiary(d: Disbursement) -> str:
    if d.person_id:
        return mask_name(d.person.name)
    if d.household_id:
        return _("%(r)s 某户") % {"r": d.region.name if d.region else ""}
    return d.beneficiary_name


def public_org(request, pk):
    org = selectors.public_organisation_get(pk)
    today = clock_today()
    figures = selectors.yearly_figures([org.pk]).get(org.pk, {})
    paid = selectors.public_disbursements(org)
    for d in paid:
        d.masked = _masked_beneficiary(d)
    return render(
        request,
        "charity/public_org.html",
        {
            "org": org,
            "years": sorted(figures.values(), key=lambda f: -f.year),
            "total_income": sum((f.income for f in figures.values()), selectors.ZERO),
            "total_spending": sum((f.charitable for f in figures.values()), selectors.ZERO),
            "funds": selectors.funds_with_balance(org),
            "projects": selectors.projects_with_balance(org),
            "campaigns": selectors.campaigns_with_totals(org),
            "paid": paid,
            "obligations": selectors.obligations(org, today),
            "state_labels": selectors.STATE_LABELS,
        },
    )
