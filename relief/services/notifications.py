"""Relief's messages to residents and staff (the core's message centre,
civil_affairs.service): one call at the end of each transition that people
must hear of.  Texts to residents follow by SMS after the commit."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from civil_affairs.models import Role, User
from civil_affairs.service.services import notify, notify_rows

from ..models import Application, HomeVisit, Payment, PayrollRoll


def _residents_of(application: Application) -> list[int]:
    """The accounts of the applicant, and of the resident who filed it online."""
    return list(
        User.objects.filter(role=Role.RESIDENT, is_active=True)
        .filter(person_id=application.applicant_id)
        .values_list("pk", flat=True)
    ) + ([application.created_by_id] if application.online and application.created_by_id else [])


def _events() -> dict:
    return {
        "return": (_("您的申请需要补充材料"), lambda a: _("原因：%(r)s") % {"r": a.return_reason}),
        "accept": (
            _("您的申请已受理"),
            lambda a: (
                _("受理日期 %(d)s，承诺办结日期 %(e)s。可在办理进度页查看受理回执。")
                % {"d": a.accepted_on, "e": a.deadline}
            ),
        ),
        "notice": (
            _("您的申请正在公示"),
            lambda a: _("公示期 %(s)s 至 %(e)s。") % {"s": a.notice_start, "e": a.notice_end},
        ),
        "confirm": (_("您的申请已批准"), lambda a: _("可在办理进度页查看准予救助决定书。")),
        "reject": (
            _("您的申请未获批准"),
            lambda a: _("理由：%(r)s。可在办理进度页查看决定书及救济途径。") % {"r": a.decision_reason},
        ),
    }


def application_notify(*, application: Application, event: str) -> None:
    """Tell the resident that their case moved (`event`: return, accept, notice, confirm, reject)."""
    title, body = _events()[event]
    notify(
        recipients=_residents_of(application),
        title=f"{title}（{application.number}）",
        body=body(application),
        link=reverse("relief_portal:application", args=[application.pk]),
    )


def visit_assigned(*, visit: HomeVisit) -> None:
    """The second visitor is asked to confirm the home visit naming them."""
    notify(
        recipients=[visit.second_visitor_id],
        sms=False,
        title=_("请确认入户调查（%(n)s）") % {"n": visit.application.number},
        body=_("%(who)s 将您列为共同调查人，请核实后确认或拒绝。")
        % {"who": visit.first_visitor.first_name or visit.first_visitor.username},
        link=reverse("relief:tasks"),
    )


def payroll_paid(*, roll: PayrollRoll) -> int:
    """Every recipient of an approved roll who has a resident account: one
    message each, written by one INSERT … SELECT (a roll has thousands of lines)."""
    title = _("%(m)s 救助金已发放") % {"m": f"{roll.month:%Y-%m}"}
    return notify_rows(
        select_sql=(
            f"SELECT u.id, %(title)s, %(body)s || to_char(p.amount, 'FM999999990.00') || %(unit)s, %(link)s "
            f"FROM {Payment._meta.db_table} p JOIN {User._meta.db_table} u "
            f"  ON u.person_id = p.recipient_id AND u.role = 'resident' AND u.is_active "
            f"WHERE p.roll_id = %(roll)s AND NOT p.held"
        ),
        params={
            "title": title,
            "body": _("本月发放金额："),
            "unit": _(" 元，请留意银行到账。"),
            "link": reverse("relief_portal:applications"),
            "roll": roll.pk,
        },
    )
