"""Community's registration with the core (civil_affairs/areas.py): URLs,
capabilities, navigation, portal service, imports, seeder, indicators,
parameters and the audit log's words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import Area, ImportKind, NavItem, PortalService
from civil_affairs.models import Role

CAPABILITIES = {
    # read communities, committees, elections, topics and organisations of the jurisdiction
    "community_view": frozenset(
        {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR}
    ),
    # run the community's own elections and deliberation: the community worker of that community,
    # and the street's caseworker who guides it (jurisdiction decides which communities)
    "community_handle": frozenset({Role.COMMUNITY_WORKER, Role.CASEWORKER}),
    # social organisations: file, annual reports, ratings, lists (street caseworkers and the bureau)
    "org_handle": frozenset({Role.CASEWORKER, Role.BUREAU_ADMIN}),
    # the dashboard and the city's election calendar
    "community_dashboard": frozenset({Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, Role.CASEWORKER}),
    # import committee members, organisations and rating results
    "community_configure": frozenset({Role.BUREAU_ADMIN}),
}


def community_area() -> Area:
    from .parameters import PARAMETER_KEYS
    from .selectors import indicators

    return Area(
        key="community",
        label=_("基层治理"),
        order=40,
        workbench_urls="community.urls",
        portal_urls="community.urls:portal_urlpatterns",
        public_urls="community.urls_public",
        api_router="community.api.router",
        capabilities=CAPABILITIES,
        nav=(
            NavItem(_("换届选举"), "community:elections", "community_view"),
            NavItem(_("议事协商"), "community:topics", "community_view"),
            NavItem(_("社会组织"), "community:orgs", "community_view"),
            NavItem(_("基层治理看板"), "community:dashboard", "community_dashboard"),
        ),
        services=(
            PortalService(
                "community",
                _("社区议事"),
                "community_portal:index",
                description=_("提出议题、关注议题进展，查询本人是否在选民名单中。"),
            ),
        ),
        import_kinds=(
            ImportKind(
                "community_member",
                "community.resources.CommitteeMemberResource",
                _("居（村）委会成员"),
                "community_configure",
            ),
            ImportKind("community_org", "community.resources.SocialOrgResource", _("社会组织"), "community_configure"),
            ImportKind(
                "community_rating", "community.resources.RatingResource", _("社会组织评估结果"), "community_configure"
            ),
        ),
        demo_seeder="community.demo.seed_area",
        indicators=indicators.INDICATORS,
        parameters=PARAMETER_KEYS,
        audit_links={
            "community.election": "community:election_detail",
            "community.topic": "community:topic_detail",
            "community.socialorg": "community:org_detail",
        },
        audit_labels={
            "election_create": _("组成选举委员会"),
            "roll_build": _("生成选民名单"),
            "voter_add": _("补充登记选民"),
            "voter_remove": _("选民除名"),
            "roll_publish": _("公布选民名单"),
            "reschedule": _("调整选举日"),
            "candidates": _("确定候选人"),
            "results": _("录入选举结果"),
            "announce": _("公告选举结果"),
            "handover": _("工作移交"),
            "committee_seated": _("新一届委员会就职"),
            "propose": _("提出议题"),
            "accept": _("议题确定"),
            "decline": _("不予采纳"),
            "notify": _("发出通知"),
            "meet": _("召开协商会议"),
            "resolve": _("形成协商意见"),
            "publish": _("公示"),
            "progress": _("实施进展"),
            "feedback": _("反馈"),
            "file": _("登记备案"),
            "annual_report": _("年度报告"),
            "rating_apply": _("申请等级评估"),
            "rating_score": _("评估评分"),
            "rating_objection": _("复核申请"),
            "rating_answer": _("复核答复"),
            "rating_final": _("确定评估等级"),
            "list_abnormal": _("活动异常名录"),
            "list_violation": _("严重违法失信名单"),
        },
    )
