"""Charity's registration with the core's area registry (civil_affairs/areas.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_area():
    from civil_affairs.areas import Area, BatchKind, ImportKind, Indicator, NavItem, PortalService, register
    from civil_affairs.models import Role

    from .parameters import PARAMETER_KEYS

    supervisors = {Role.BUREAU_ADMIN, Role.AUDITOR, Role.REVIEWER}
    capabilities = {
        # read organisations and their records (charity staff: their own organisation only)
        "charity_view": frozenset({Role.CHARITY_STAFF, *supervisors}),
        # enter donations, import statements, issue receipts, propose disbursements, record costs and disclosures
        "charity_handle": frozenset({Role.CHARITY_STAFF}),
        # approve a disbursement proposed by another person of the organisation (maker–checker)
        "charity_approve": frozenset({Role.CHARITY_STAFF}),
        # the registering department: organisations, recognition, public-fundraising status, plan filing
        "charity_supervise": frozenset({Role.BUREAU_ADMIN}),
        # the dashboard (city, district, organisation) and its Excel export
        "charity_dashboard": frozenset({Role.CHARITY_STAFF, *supervisors}),
        # the yearly receipts batch
        "charity_receipts_run": frozenset({Role.CHARITY_STAFF, Role.BUREAU_ADMIN}),
    }
    register(
        Area(
            key="charity",
            label=_("慈善事业"),
            order=50,
            workbench_urls="charity.urls",
            portal_urls="charity.urls:portal_urlpatterns",
            public_urls="charity.public_urls",
            api_router="charity.api.router",
            capabilities=capabilities,
            nav=(NavItem(_("慈善事业"), "charity:index", "charity_view"),),
            services=(
                PortalService(
                    "charity", _("我的慈善捐赠"), "charity_portal:mine", description=_("查看本人的捐赠记录和捐赠票据。")
                ),
            ),
            batch_kinds=(
                BatchKind(
                    "charity_receipts",
                    _("年度捐赠票据"),
                    "charity.tasks.receipts_task",
                    "charity_receipts_run",
                    count_labels={"receipts": _("开具票据"), "donations": _("捐赠笔数")},
                ),
                BatchKind(
                    "charity_statement",
                    _("捐赠流水导入"),
                    "charity.tasks.statement_task",
                    "charity_handle",
                    count_labels={"added": _("新增"), "duplicates": _("已存在"), "bad": _("错误行")},
                ),
            ),
            import_kinds=(
                ImportKind(
                    "charity_organisation",
                    "charity.resources.OrganisationResource",
                    _("慈善组织名录"),
                    "charity_supervise",
                ),
            ),
            demo_seeder="charity.demo.seed_area",
            person_rows="charity.selectors.person_rows",
            household_rows="charity.selectors.household_rows",
            indicators=(
                Indicator("charity_raised_year", _("本年慈善募捐"), _("元"), "charity.selectors.raised_this_year"),
                Indicator("charity_raised_total", _("累计慈善募捐"), _("元"), "charity.selectors.raised_total"),
                Indicator("charity_orgs", _("慈善组织"), _("家"), "charity.selectors.organisations_count"),
                Indicator("charity_donors", _("捐赠人"), _("人/单位"), "charity.selectors.donors_count"),
            ),
            parameters=PARAMETER_KEYS,
            audit_links={"charity.organisation": "charity:org_detail"},
            audit_labels={
                "step": _("步骤"),
                "recognition_apply": _("申请认定慈善组织"),
                "recognition_decide": _("认定决定"),
                "public_fundraising": _("取得公开募捐资格"),
                "propose": _("提出支出"),
                "approve": _("审批拨付"),
                "reject": _("不予拨付"),
                "reverse": _("冲正"),
                "transfer": _("基金间划转"),
                "void": _("作废票据"),
                "receipt_declined": _("捐赠人不需要票据"),
            },
        )
    )
