"""Caseworkers' and reviewers' forms, one per procedure step."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civil_affairs import clock
from civil_affairs.forms import BootstrapMixin
from civil_affairs.models import Document

from .models import Application, Kind

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class QueueFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("申请编号/姓名/身份证号/户编号"), required=False)
    kind = forms.ChoiceField(label=_("救助类别"), required=False, choices=[("", _("全部"))] + Kind.choices)
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("办理中"))] + Application.State.choices)
    overdue = forms.BooleanField(label=_("仅看超期"), required=False)


class ApplicationNewForm(BootstrapMixin, forms.Form):
    household_number = forms.CharField(label=_("户编号"), max_length=20)
    kind = forms.ChoiceField(label=_("救助类别"), choices=Kind.choices)
    temporary_type = forms.ChoiceField(label=_("临时救助类型"), required=False,
                                       choices=[("", "—")] + Application.TemporaryType.choices)
    requested_amount = forms.DecimalField(label=_("申请金额（元，临时救助）"), required=False, **MONEY)
    reason = forms.CharField(label=_("申请事由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SubmitForm(BootstrapMixin, forms.Form):
    """Counter application: the caseworker completes the details and submits."""

    reason = forms.CharField(label=_("申请事由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    requested_amount = forms.DecimalField(label=_("申请金额（元，临时救助）"), required=False, **MONEY)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60, required=False)
    bank_account = forms.CharField(label=_("收款银行账号"), max_length=32, required=False)
    authorised_verification = forms.BooleanField(label=_("申请人已签署家庭经济状况核对授权书"), required=False)


class ChecklistForm(BootstrapMixin, forms.Form):
    """One checkbox per required document, built for the application's kind."""

    def __init__(self, *args, required_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        for kind in required_kinds:
            self.fields[f"doc_{kind}"] = forms.BooleanField(label=Document.Kind(kind).label, required=False)
        self.required_kinds = required_kinds

    def checklist(self) -> dict[str, bool]:
        return {k: bool(self.cleaned_data.get(f"doc_{k}")) for k in self.required_kinds}


class ReturnForm(ChecklistForm):
    reason = forms.CharField(label=_("需补充的材料及原因（申请人可见）"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("延期理由"), max_length=200)


class VisitForm(BootstrapMixin, forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    second_visitor = forms.ModelChoiceField(label=_("共同调查人"), queryset=None)
    living_conditions = forms.CharField(label=_("居住及生活状况"), widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(label=_("调查结论"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, visitors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["second_visitor"].queryset = visitors
        self.fields["second_visitor"].label_from_instance = lambda u: f"{u.first_name or u.username}（{u.username}）"
        self.fields["visited_on"].initial = clock.today()


class ProposeForm(BootstrapMixin, forms.Form):
    care_level = forms.ChoiceField(label=_("照料护理等级（特困）"), required=False,
                                   choices=[("", "—")] + Application.CareLevel.choices)
    support_mode = forms.ChoiceField(label=_("供养方式（特困）"), required=False,
                                     choices=[("", "—")] + Application.SupportMode.choices)
    has_capable_supporter = forms.BooleanField(label=_("有具备履行能力的法定义务人（特困）"), required=False)
    amount = forms.DecimalField(label=_("拟救助金额（元，临时救助）"), required=False, **MONEY)
    note = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ObjectionForm(BootstrapMixin, forms.Form):
    received_on = forms.DateField(label=_("收到日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    raised_by = forms.CharField(label=_("异议人（可匿名）"), max_length=60, required=False)
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("不予批准理由（申请人可见）"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, help_text=_("留空则使用审核意见中的不符合条件原因。"))


class PayFirstForm(BootstrapMixin, forms.Form):
    amount = forms.DecimalField(label=_("先行救助金额（元）"), **MONEY)


class EmptyForm(BootstrapMixin, forms.Form):
    pass


class BenefitStatusForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
