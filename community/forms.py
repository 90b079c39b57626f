"""Forms of the community pages: they check input and hand clean values to services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civil_affairs import rules as core_rules
from civil_affairs.models import Person

from .models import Election, SocialOrg, Topic

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = forms.TextInput(attrs={"class": "form-control"})
AREA = forms.Textarea(attrs={"class": "form-control", "rows": 3})
NUMBER = forms.NumberInput(attrs={"class": "form-control"})


def _styled(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-control")
    return form


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class PersonByIdField(forms.CharField):
    """A person of the registry by their ID number."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            number = core_rules.parse_id_number(value).number
        except core_rules.IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from None
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            raise forms.ValidationError(_("户籍登记中没有这个身份证号的人员。"))
        return person


class ElectionForm(StyledForm):
    region = forms.CharField(label=_("社区/村区划代码"), max_length=12)
    committee_formed_on = forms.DateField(label=_("选举委员会组成日期"), widget=DATE)
    election_day = forms.DateField(label=_("选举日"), widget=DATE)
    seats = forms.IntegerField(label=_("应选名额"), min_value=3, max_value=7, initial=5)
    election_committee = forms.CharField(label=_("选举委员会成员（每行一人）"), widget=AREA, required=False)


class DateForm(StyledForm):
    on = forms.DateField(label=_("日期"), widget=DATE)


class VoterAddForm(StyledForm):
    person = PersonByIdField(label=_("身份证号"))
    reason = forms.CharField(label=_("补充登记原因"), max_length=200)


class VoterRemoveForm(StyledForm):
    voter = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("除名原因"), max_length=200)


class CandidatesForm(StyledForm):
    id_numbers = forms.CharField(label=_("候选人身份证号（每行一人）"), widget=AREA)

    def clean_id_numbers(self):
        people, bad = [], []
        for line in self.cleaned_data["id_numbers"].split():
            try:
                number = core_rules.parse_id_number(line).number
            except core_rules.IdNumberError:
                bad.append(line)
                continue
            person = Person.objects.filter(id_number=number).first()
            if person is None:
                bad.append(line)
            else:
                people.append(person)
        if bad:
            raise forms.ValidationError(_("以下身份证号无效或不在户籍登记中：%(bad)s") % {"bad": "、".join(bad)})
        return people


class HandoverForm(StyledForm):
    on = forms.DateField(label=_("移交日期"), widget=DATE)


class TopicForm(StyledForm):
    title = forms.CharField(label=_("议题"), max_length=120)
    description = forms.CharField(label=_("内容"), widget=AREA, required=False)


class StaffTopicForm(TopicForm):
    region = forms.CharField(label=_("社区/村区划代码"), max_length=12)


class AcceptForm(StyledForm):
    participants = forms.CharField(label=_("参与人员"), widget=AREA, required=False)


class DeclineForm(StyledForm):
    reason = forms.CharField(label=_("不予采纳理由"), widget=AREA)


class NotifyForm(StyledForm):
    notice = forms.CharField(label=_("会议通知及材料"), widget=AREA)
    meeting_on = forms.DateField(label=_("会议日期"), widget=DATE)
    meeting_place = forms.CharField(label=_("会议地点"), max_length=120, required=False)


class MeetForm(StyledForm):
    attendance = forms.IntegerField(label=_("参会人数"), min_value=1)
    minutes = forms.CharField(label=_("会议记录"), widget=AREA)


class ResolveForm(StyledForm):
    resolution = forms.CharField(label=_("协商意见"), widget=AREA)
    owner = forms.CharField(label=_("实施责任人"), max_length=60)
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)


class ProgressForm(StyledForm):
    progress = forms.IntegerField(label=_("实施进度（%）"), min_value=0, max_value=100)
    note = forms.CharField(label=_("进展说明"), widget=AREA)
    evidence = forms.FileField(label=_("佐证材料（PDF/JPG/PNG）"), required=False)


class FeedbackForm(StyledForm):
    feedback = forms.CharField(label=_("反馈内容"), widget=AREA)


TOPIC_FORMS = {
    "accept": AcceptForm,
    "decline": DeclineForm,
    "notify": NotifyForm,
    "meet": MeetForm,
    "resolve": ResolveForm,
    "publish": None,
    "progress": ProgressForm,
    "feedback": FeedbackForm,
}


class OrgForm(StyledForm):
    region = forms.CharField(label=_("登记/备案机关区划代码"), max_length=12)
    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=SocialOrg.Kind.choices)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    registered_on = forms.DateField(label=_("登记（备案）日期"), widget=DATE)
    legal_rep = forms.CharField(label=_("法定代表人/负责人"), max_length=40, required=False)


class ReportForm(StyledForm):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    submitted_on = forms.DateField(label=_("报送日期"), widget=DATE)
    result = forms.ChoiceField(
        label=_("结论"),
        choices=[("", _("待审")), ("pass", _("合格")), ("basic", _("基本合格")), ("fail", _("不合格"))],
        required=False,
    )


class ScoreForm(StyledForm):
    rating = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.IntegerField(label=_("评估得分（满分1000）"), min_value=0, max_value=1000)
    on = forms.DateField(label=_("评估日期"), widget=DATE)


class ObjectionForm(StyledForm):
    rating = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("复核理由"), widget=AREA)
    on = forms.DateField(label=_("收到日期"), widget=DATE)


class AnswerForm(StyledForm):
    rating = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("书面答复"), widget=AREA)
    on = forms.DateField(label=_("答复日期"), widget=DATE)
    score = forms.IntegerField(label=_("复核后得分（不变则留空）"), min_value=0, max_value=1000, required=False)


class FinaliseForm(StyledForm):
    rating = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(label=_("确定日期"), widget=DATE)


class ListForm(StyledForm):
    which = forms.ChoiceField(
        label=_("名录"), choices=[("abnormal", _("活动异常名录")), ("violation", _("严重违法失信名单"))]
    )
    since = forms.DateField(label=_("列入日期（留空为移出）"), widget=DATE, required=False)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


ELECTION_STATES = Election.State.choices
TOPIC_STATES = Topic.State.choices
