"""Relief's part of the service experience (civil_affairs.service), registered
in apps.py: guides (办事指南) with the standards in force, the labels of the
steps its audit events record (the case timeline), its printable documents,
and which case a resident may rate."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs import clock
from civil_affairs.areas import Guide, Material, PrintDocument
from civil_affairs.errors import DomainError
from civil_affairs.models import AssetRecord, Document, IncomeRecord, Region
from civil_affairs.selectors import household_members
from civil_affairs.service.rules import appeal_deadlines, staff_masked
from civil_affairs.service.selectors import RatingTarget
from civil_affairs.service.services import document_number

from .models import Application, Kind
from .selectors import applications as selectors
from .selectors.standards import standards_in_force

State = Application.State
AUTHORISATION_TEMPLATE = "service/materials/authorisation.html"

# changes["step"] of relief's audit events on an application → the timeline's words
TIMELINE_STEPS = {
    "relief.application": {
        "create": gettext_lazy("填写申请"),
        "submit": gettext_lazy("提交申请"),
        "withdraw": gettext_lazy("撤回申请"),
        "return": gettext_lazy("退回补充材料"),
        "accept": gettext_lazy("受理"),
        "extend": gettext_lazy("延长办理期限"),
        "visit": gettext_lazy("入户调查"),
        "propose": gettext_lazy("提出审核意见"),
        "notice": gettext_lazy("张榜公示"),
        "objection": gettext_lazy("公示异议，重新调查"),
        "first_approval": gettext_lazy("第一审批意见"),
        "confirm": gettext_lazy("审批：准予救助"),
        "reject": gettext_lazy("审批：不予批准"),
        "pay_first": gettext_lazy("先行救助"),
    }
}

# ---------------------------------------------------------------- guides

POLICY_BASIS = (
    gettext_lazy("《社会救助暂行办法》（国务院令第649号）"),
    gettext_lazy("《最低生活保障审核确认办法》（民发〔2021〕57号）"),
    gettext_lazy("《特困人员认定办法》（民发〔2021〕43号）"),
    gettext_lazy("《江苏省社会救助办法》及本市实施细则"),
)


def _materials(kind: str) -> tuple[Material, ...]:
    from .services.applications import REQUIRED_DOCUMENTS

    notes = {
        "authorisation": _("家庭成员共同签字，可下载模板打印填写"),
        "id_card": _("家庭成员身份证件"),
        "income_proof": _("近12个月收入证明（工资、经营、财产、转移性收入）"),
        "medical": _("医疗费用票据及诊断证明"),
        "accident": _("火灾、事故等证明"),
    }
    documents = REQUIRED_DOCUMENTS[kind] + (("accident",) if kind == Kind.TEMPORARY else ())
    return tuple(
        Material(Document.Kind(k).label, notes.get(k, ""), AUTHORISATION_TEMPLATE if k == "authorisation" else None)
        for k in documents
    )


def relief_guides(day: dt.date) -> list[Guide]:
    """低保, 特困 and 临时救助, with the city's standards in force on `day`."""
    city = selectors.city_region()
    try:
        s = standards_in_force(city.code, day) if city else None
    except DomainError:
        s = None
    where = _("户籍所在地或经常居住地的街道（乡镇）社会救助窗口，或本平台在线申请；咨询电话 12345。")
    days = _("自受理之日起%(n)s个工作日内办结（情况复杂的可延长至%(m)s个工作日）") % {
        "n": s.deadline_working_days if s else 30,
        "m": s.extended_working_days if s else 45,
    }
    standard = _("（现行低保标准：每人每月 %(v)s 元）") % {"v": f"{s.dibao_standard:.2f}"} if s else ""
    dibao = Guide(
        key=Kind.DIBAO,
        title=_("最低生活保障（低保）申请"),
        eligibility=(
            _("共同生活的家庭成员人均月收入低于当地低保标准%(std)s。") % {"std": standard},
            _(
                "家庭财产符合规定：人均金融资产不超过%(m)s个月低保标准，无非生活必需的机动车辆，无第二套住房，"
                "无注册资本超过%(cap)s元的工商登记。"
            )
            % {
                "m": int(s.financial_asset_months) if s else 24,
                "cap": f"{s.business_capital_limit:,.0f}" if s else "50,000",
            },
            _("收入按最近12个月平均计算，就业人员工资扣除一定比例的就业成本；优抚金、残疾人两项补贴等不计入收入。"),
        ),
        policy_basis=POLICY_BASIS,
        materials=_materials(Kind.DIBAO),
        time_limit=days,
        fees=_("不收费"),
        where_to_ask=where,
        apply_url_name="relief_portal:apply",
    )
    tekun = Guide(
        key=Kind.TEKUN,
        title=_("特困人员救助供养申请"),
        eligibility=(
            _("年满60周岁，或一、二级重度残疾（智力、精神残疾三级），或未满16周岁。"),
            _("无劳动能力、无生活来源，且无法定赡养、抚养、扶养义务人，或其义务人无履行能力。"),
            _(
                "基本生活标准不低于低保标准的%(x)s倍；照料护理标准按全自理、半护理、全护理分档：每月 %(a)s / %(b)s / %(c)s 元。"
            )
            % {
                "x": s.tekun_basic_multiple if s else "1.3",
                "a": f"{s.care_self:.0f}" if s else "150",
                "b": f"{s.care_partial:.0f}" if s else "600",
                "c": f"{s.care_full:.0f}" if s else "1200",
            },
        ),
        policy_basis=POLICY_BASIS,
        materials=_materials(Kind.TEKUN),
        time_limit=days,
        fees=_("不收费"),
        where_to_ask=where,
        apply_url_name="relief_portal:apply",
    )
    street = s.dibao_standard * s.temp_street_multiple if s else None
    temporary = Guide(
        key=Kind.TEMPORARY,
        title=_("临时救助申请"),
        eligibility=(
            _("急难型：因火灾、交通事故、突发重大疾病等意外，基本生活暂时出现严重困难。可在急难发生地申请。"),
            _("支出型：因教育、医疗等刚性支出超出承受能力，基本生活出现严重困难。"),
            (
                _("救助金额：%(s)s元以内由街道（乡镇）审批，更高金额由区县审批，特别重大的由市民政局一事一议。")
                % {"s": f"{street:.2f}"}
            )
            if street is not None
            else _("救助金额按低保标准的倍数确定，分级审批。"),
            _("急难情形可先行救助，%(n)s个工作日内补齐材料。") % {"n": s.emergency_document_working_days if s else 5},
        ),
        policy_basis=POLICY_BASIS[:1] + (_("《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）"),),
        materials=_materials(Kind.TEMPORARY),
        time_limit=days,
        fees=_("不收费"),
        where_to_ask=where,
        apply_url_name="relief_portal:apply",
    )
    return [dibao, tekun, temporary]


# ---------------------------------------------------------------- printable documents


def _staff_case(user, pk) -> Application:
    return selectors.application_get_for_user(user, pk)


def _case(user, pk) -> Application:
    if user.is_resident:
        return selectors.application_get_for_resident(user, pk)
    return _staff_case(user, pk)


def _common(application: Application, for_resident: bool) -> dict:
    return {
        "target": application,
        "application": application,
        "for_resident": for_resident,
        "members": household_members(application.household),
    }


def _name(user, for_resident: bool) -> str:
    if user is None:
        return ""
    name = user.first_name or user.username
    return staff_masked(name) if for_resident else name


def receipt_context(user, pk) -> dict:
    """受理回执: once accepted."""
    application = _case(user, pk)
    if not _accepted(application):
        raise Http404
    checklist = [
        (Document.Kind(k).label if k in Document.Kind.values else k, ok)
        for k, ok in (application.checklist or {}).items()
    ]
    return {
        **_common(application, user.is_resident),
        "checklist": checklist,
        "accepted_by": _name(application.accepted_by, user.is_resident),
    }


def investigation_context(user, pk) -> dict:
    """入户调查表: the household, its declared economy and the home visits."""
    application = _staff_case(user, pk)
    return {
        **_common(application, False),
        "visits": selectors.visits_with_status(application),
        "incomes": IncomeRecord.objects.filter(household=application.household)
        .select_related("person")
        .order_by("person_id", "period_start"),
        "assets": AssetRecord.objects.filter(household=application.household)
        .select_related("person")
        .order_by("person_id"),
    }


def approval_context(user, pk) -> dict:
    """审核审批表: the proposal with its working and the decision."""
    application = _staff_case(user, pk)
    return _common(application, False)


def _district_of(application: Application) -> Region:
    return Region.objects.get(code=application.region_id[:6] + "000000")


def decision_number(application: Application):
    """The decision letter's number (per district and year, e.g. 通民救〔2026〕第12号):
    given in the decision's own transaction (relief.services.applications), kept after."""
    district = _district_of(application)
    short = district.name.rstrip("区县市")[:1] or district.name[:1]
    return document_number(
        series=f"relief-decision:{district.code}",
        prefix=f"{short}民救",
        kind="relief_decision",
        target=application,
        year=application.decided_on.year,
    )


def decision_context(user, pk) -> dict:
    """准予/不予批准决定书: numbered at the decision, with the appeal deadlines."""
    application = _case(user, pk)
    if not _decided(application):
        raise Http404
    district = _district_of(application)
    number = decision_number(application)  # decisions from before numbering get theirs now
    reconsideration, litigation = appeal_deadlines(application.decided_on)
    return {
        **_common(application, user.is_resident),
        "number": number,
        "district": district,
        "granted": application.state == State.CONFIRMED,
        "benefits": list(application.benefits.all()),
        "reconsideration_until": reconsideration,
        "litigation_until": litigation,
        "today": clock.today(),
    }


def _accepted(application: Application) -> bool:
    return application.accepted_on is not None


def _decided(application: Application) -> bool:
    return application.state in (State.CONFIRMED, State.REJECTED) and application.decided_on is not None


PRINT_DOCUMENTS = (
    PrintDocument(
        "receipt",
        gettext_lazy("受理回执"),
        "relief/print/receipt.html",
        receipt_context,
        for_resident=True,
        available=_accepted,
    ),
    PrintDocument(
        "investigation",
        gettext_lazy("入户调查表"),
        "relief/print/investigation.html",
        investigation_context,
        available=_accepted,
    ),
    PrintDocument(
        "approval", gettext_lazy("审核审批表"), "relief/print/approval.html", approval_context, available=_accepted
    ),
    PrintDocument(
        "decision",
        gettext_lazy("审批决定书"),
        "relief/print/decision.html",
        decision_context,
        for_resident=True,
        available=_decided,
    ),
)


# ---------------------------------------------------------------- 好差评


def rating_target(user, pk) -> RatingTarget:
    application = selectors.application_get_for_resident(user, pk)
    return RatingTarget(
        target_type="relief.application",
        target_id=str(application.pk),
        region_code=application.region_id,
        ended=application.state in Application.FINAL_STATES,
        title=str(application),
    )
