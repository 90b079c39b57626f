from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "relief"
    verbose_name = _("社会救助")

    def ready(self):
        from civil_affairs.areas import Area, BatchKind, CoveredGroup, ImportKind, NavItem, PortalService, register
        from civil_affairs.models import Role

        from . import experience
        from .feeds import FEED_KINDS
        from .parameters import PARAMETER_KEYS
        from .selectors.indicators import relief_indicators
        from .services import recheck

        # Who may do what in relief (merged into the core's capability table).
        capabilities = {
            # read applications, benefits and standards of the jurisdiction
            "relief_view": frozenset(
                {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR}
            ),
            # take applications in, investigate, propose, publish notices, start rechecks
            "relief_handle": frozenset({Role.CASEWORKER}),
            # confirm or reject (never one's own investigation); stop or suspend benefits
            "relief_decide": frozenset({Role.REVIEWER, Role.BUREAU_ADMIN}),
            # payroll: see rolls and totals; generate a month; approve a district's roll
            "payroll_view": frozenset({Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR}),
            "payroll_run": frozenset({Role.BUREAU_ADMIN}),
            "payroll_approve": frozenset({Role.REVIEWER, Role.BUREAU_ADMIN}),
            # import standards and benefit rosters
            "relief_configure": frozenset({Role.BUREAU_ADMIN}),
            # start the eligibility recheck or the price-linkage batch by hand (both also run on Celery beat)
            "recheck_run": frozenset({Role.BUREAU_ADMIN}),
            "price_linkage_run": frozenset({Role.BUREAU_ADMIN}),
        }

        # Relief is the first tenant of the area registry (civil_affairs/areas.py).
        register(
            Area(
                key="relief",
                label=_("社会救助"),
                order=10,
                workbench_urls="relief.urls",
                portal_urls="relief.urls:portal_urlpatterns",
                api_router="relief.api.router",
                capabilities=capabilities,
                nav=(NavItem(_("社会救助"), "relief:queue", "relief_view"),),
                services=(
                    PortalService(
                        "relief",
                        _("申请救助"),
                        "relief_portal:apply",
                        description=_("低保、特困、低保边缘、支出型困难家庭和临时救助。"),
                    ),
                ),
                my_applications_url_name="relief_portal:applications",
                batch_kinds=(
                    BatchKind("relief_payroll", _("社会救助发放花名册"), "relief.tasks.payroll_task", "payroll_run"),
                    BatchKind(
                        "relief_recheck",
                        _("资格复核（数据比对）"),
                        "relief.tasks.recheck_task",
                        "recheck_run",
                        count_labels=recheck.COUNT_LABELS,
                    ),
                    BatchKind(
                        "relief_price_linkage",
                        _("物价补贴联动发放"),
                        "relief.tasks.price_linkage_task",
                        "price_linkage_run",
                    ),
                ),
                import_kinds=(
                    ImportKind(
                        "relief_benefit", "relief.resources.BenefitResource", _("救助待遇花名册"), "relief_configure"
                    ),
                ),
                # data-exchange feeds relief matches against its cases (the core imports them; death is the core's)
                feed_kinds=FEED_KINDS,
                demo_seeder="relief.demo.seed_area",
                person_rows="relief.selectors.person360.person_rows",
                household_rows="relief.selectors.person360.household_rows",
                household_links="relief.selectors.person360.household_links",
                # deaths, set-based (a caseworker's one death comes as a batch of one): civil_affairs/life_events.py
                life_events_many={"death": "relief.services.recheck.deaths_apply"},
                indicators=relief_indicators(),
                # the price-linkage subsidy's groups (the SQL in relief/services/price_linkage.py); a person in
                # several is paid once, under the first: orphans (childcare) rank 30, between tekun and unemployment
                covered_groups=(
                    CoveredGroup("dibao", _("低保对象"), 10, "relief.services.price_linkage.DIBAO_MEMBERS_SQL"),
                    CoveredGroup("tekun", _("特困人员"), 20, "relief.services.price_linkage.TEKUN_SQL"),
                    CoveredGroup(
                        "unemployment", _("失业保险金领取人员"), 40, "relief.services.price_linkage.UNEMPLOYMENT_SQL"
                    ),
                    CoveredGroup(
                        "veteran", _("领取定期抚恤补助的优抚对象"), 50, "relief.services.price_linkage.VETERAN_SQL"
                    ),
                ),
                parameters=PARAMETER_KEYS,  # 救助标准, in the core's dated parameters (import kind "parameter")
                # the audit log in words (civil_affairs/audit_words.py): records' pages, step codes, other keys
                audit_links={
                    "relief.application": "relief:application_detail",
                    "relief.benefit": "relief:benefit_detail",
                    "relief.payrollroll": "relief:roll_detail",
                    "relief.pricesubsidyroll": "relief:subsidy_roll",
                    "relief.reviewtask": "relief:task_detail",
                    "relief.homevisit": "relief:tasks",
                },
                audit_labels={
                    "submit": _("提交申请"),
                    "withdraw": _("撤回申请"),
                    "return": _("退回补充材料"),
                    "accept": _("受理"),
                    "extend": _("延长办理期限"),
                    "visit": _("入户调查"),
                    "visit_confirm": _("确认入户调查"),
                    "visit_decline": _("拒绝确认入户调查"),
                    "propose": _("提出审核意见"),
                    "notice": _("发布公示"),
                    "objection": _("登记异议"),
                    "first_approval": _("初审同意"),
                    "confirm": _("批准"),
                    "reject": _("不予批准"),
                    "pay_first": _("先行救助"),
                    "recheck_confirmed": _("复核确认"),
                    "recheck_refused": _("复核不予继续"),
                    "status": _("变更状态"),
                    "approve": _("审核花名册"),
                    "resolve": _("处理核查任务"),
                    "feed_death": _("比对发现死亡"),
                    "death": _("死亡登记"),
                    "end_after": _("设定最后发放月份（由其他待遇接续）"),
                    "overpaid": _("已发放待追回月份"),
                    "pending_folded": _("调整后金额生效"),
                    "next_recheck_filled": _("补填复核日期"),
                    "standard_changed": _("救助标准调整"),
                    "reason": _("原因"),
                    "note": _("说明"),
                    "amount": _("金额（元）"),
                    "month": _("月份"),
                    "lines": _("明细数"),
                    "total": _("合计（元）"),
                    "run": _("批处理任务"),
                    "outcome": _("结果"),
                    "application": _("申请编号"),
                    "second_visitor": _("第二调查人"),
                    "payments_removed": _("撤销的发放明细"),
                    "from": _("起始日期"),
                    "death_date": _("死亡日期"),
                },
                # service experience (civil_affairs.service): relief/experience.py
                guides="relief.experience.relief_guides",
                timeline_steps=experience.TIMELINE_STEPS,
                print_documents=experience.PRINT_DOCUMENTS,
                rating_target="relief.experience.rating_target",
            )
        )
