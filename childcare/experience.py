"""Service experience of childcare (civil_affairs.service): the guide (办事指南)
of the orphan / de-facto unsupported child allowance, with the rates and age
limits in force.  Public: it names rules and amounts, never a child."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from civil_affairs.areas import Guide, Material
from civil_affairs.models import Region

from . import rules
from .parameters import DEFAULTS
from .selectors import standards_in_force


def childcare_guides(day: dt.date) -> list[Guide]:
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    s = standards_in_force(city.code, day) if city else rules.Standards.from_values(DEFAULTS)
    return [
        Guide(
            key="allowance",
            title=_("孤儿、事实无人抚养儿童基本生活费申请"),
            eligibility=(
                _("孤儿：未满18周岁，父母双方死亡（含宣告死亡、宣告失踪）或查找不到生父母，且未被收养。"),
                _(
                    "事实无人抚养儿童：父母双方均符合重残、重病、失联满%(m)s个月、被撤销监护资格、被遣送出境、"
                    "服刑在押或强制戒毒等满%(m)s个月、死亡、失踪情形之一，或一方符合上述情形、另一方死亡或失踪。"
                )
                % {"m": s.condition_months},
                _(
                    "现行标准：机构集中养育 %(a)s 元/月，社会散居 %(b)s 元/月，事实无人抚养儿童 %(c)s 元/月；"
                    "发放至年满%(age)d周岁当月，全日制在校的延长至毕业，最长至%(school)d周岁。"
                )
                % {
                    "a": f"{s.rate_institutional:.2f}",
                    "b": f"{s.rate_dispersed:.2f}",
                    "c": f"{s.rate_unsupported:.2f}",
                    "age": s.age_end,
                    "school": s.school_age_end,
                },
                _("领取本项基本生活费的儿童，不再同时按特困人员供养。"),
            ),
            policy_basis=(
                _("《国务院办公厅关于加强孤儿保障工作的意见》"),
                _("《关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）"),
            ),
            materials=(
                Material(_("儿童和监护人的身份证件、户口簿")),
                Material(_("父母死亡、失踪、服刑、重残、重病、失联等情形的证明")),
                Material(_("监护人的银行账户")),
            ),
            time_limit=_("街道（乡镇）%(a)d个工作日内审核，区县%(b)d个工作日内审批；批准后自次月起发放。")
            % {"a": s.check_working_days, "b": s.decision_working_days},
            fees=_("不收费"),
            where_to_ask=_("儿童户籍所在地的街道（乡镇）民政窗口、村（社区）儿童主任，或本平台在线申请。"),
            apply_url_name="childcare_portal:apply",
        )
    ]
