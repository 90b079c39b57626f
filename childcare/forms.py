"""Forms of childcare's pages: they only parse and check input (clear Chinese
messages); the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Allowance, Category, Child, ParentCode, Referral, Risk, Setting

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


# "none": the parent can care for the child (stored as no code)
PARENT_CHOICES = [
    ("", _("请选择")),
    *((code, label) for code, label in ParentCode.choices if code),
    ("none", _("无上述情形")),
]


def _parent_fields(prefix: str, label):
    return {
        f"{prefix}_name": forms.CharField(label=_("%(w)s姓名") % {"w": label}, required=False, max_length=50),
        f"{prefix}_code": forms.ChoiceField(
            label=_("%(w)s情形") % {"w": label}, choices=PARENT_CHOICES, required=False
        ),
        f"{prefix}_since": forms.DateField(
            label=_("%(w)s情形起始日期") % {"w": label},
            required=False,
            widget=DATE,
            help_text=_("死亡日期、失联之日、羁押开始之日等"),
        ),
        f"{prefix}_until": forms.DateField(
            label=_("%(w)s情形结束或预计结束日期") % {"w": label}, required=False, widget=DATE
        ),
        f"{prefix}_evidence": forms.CharField(label=_("%(w)s情形证明") % {"w": label}, required=False, max_length=200),
    }


class CaseForm(forms.Form):
    """An application: the child, each parent's situation, the allowance's payee."""

    child_id_number = forms.CharField(label=_("儿童身份证号码"), max_length=18)
    guardian_id_number = forms.CharField(
        label=_("监护人身份证号码"), max_length=18, required=False, help_text=_("网上申请时为申请人本人")
    )
    guardian_relation = forms.CharField(label=_("监护人与儿童关系"), max_length=30, required=False)
    category = forms.ChoiceField(label=_("申请类别"), choices=Category.choices)
    setting = forms.ChoiceField(label=_("养育方式"), choices=Setting.choices, initial=Setting.DISPERSED)
    school_until = forms.DateField(
        label=_("全日制在校至"), required=False, widget=DATE, help_text=_("年满18周岁后仍在全日制学校就读时填写")
    )
    bank_name = forms.CharField(label=_("开户银行"), max_length=60)
    bank_account = forms.RegexField(
        label=_("监护人收款账号"),
        regex=r"^\d{12,32}$",
        error_messages={"invalid": _("银行账号应为12至32位数字。")},
    )
    documents = MultipleFileField(label=_("证明材料（死亡证明、判决书、残疾证等）"), required=False)

    def __init__(self, *args, online: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_parent_fields("father", _("父亲")))
        self.fields.update(_parent_fields("mother", _("母亲")))
        if online:
            del self.fields["guardian_id_number"]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.update(SELECT)
            elif not isinstance(field.widget, forms.DateInput | forms.FileInput):
                field.widget.attrs.update(TEXT)

    def clean(self):
        data = super().clean()
        for which, label in (("father", _("父亲")), ("mother", _("母亲"))):
            if not data.get(f"{which}_code"):
                self.add_error(
                    f"{which}_code", _("请选择%(w)s的情形；能正常履行抚养义务的选“无上述情形”。") % {"w": label}
                )
        return data

    def parents(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {
                "which": which,
                "name": d.get(f"{which}_name", ""),
                "code": "" if d.get(f"{which}_code") in (None, "", "none") else d[f"{which}_code"],
                "since": d.get(f"{which}_since"),
                "until": d.get(f"{which}_until"),
                "evidence": d.get(f"{which}_evidence", ""),
            }
            for which in ("father", "mother")
        ]


class CheckForm(forms.Form):
    recommend = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("1", _("符合条件，报区县审批")), ("0", _("不符合条件"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3, **TEXT}))


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批结论"),
        choices=[("1", _("批准")), ("0", _("不予批准"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 3, **TEXT}))


class StopForm(forms.Form):
    reason = forms.ChoiceField(label=_("停发原因"), choices=Allowance.StopReason.choices, widget=forms.Select(SELECT))
    on = forms.DateField(label=_("情形发生日期"), widget=DATE, help_text=_("自次月起停发"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.TextInput(TEXT))


class ReviewForm(forms.Form):
    still_eligible = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("1", _("仍符合条件")), ("0", _("不再符合，停发"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("复核情况"), widget=forms.TextInput(TEXT))


class ChildForm(forms.Form):
    id_number = forms.CharField(label=_("儿童身份证号码"), max_length=18, widget=forms.TextInput(TEXT))
    kind = forms.ChoiceField(label=_("类别"), choices=Child.Kind.choices, widget=forms.Select(attrs=SELECT))
    risk = forms.ChoiceField(label=_("风险等级"), choices=Risk.choices, widget=forms.Select(attrs=SELECT))
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, widget=forms.TextInput(TEXT))
    guardian_situation = forms.CharField(
        label=_("监护人情况"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    school = forms.CharField(label=_("就读学校"), max_length=100, required=False, widget=forms.TextInput(TEXT))


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    seen = forms.BooleanField(label=_("见到儿童本人"), required=False)
    notes = forms.CharField(label=_("走访记录"), widget=forms.Textarea(attrs={"rows": 3, **TEXT}))


class RiskForm(forms.Form):
    risk = forms.ChoiceField(label=_("新风险等级"), choices=Risk.choices, widget=forms.Select(attrs=SELECT))
    reason = forms.CharField(label=_("调整原因"), max_length=200, widget=forms.TextInput(TEXT))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("转介服务"), choices=Referral.Service.choices, widget=forms.Select(SELECT))
    reason = forms.CharField(label=_("转介原因"), widget=forms.Textarea(attrs={"rows": 2, **TEXT}))


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("办理结果"), widget=forms.TextInput(TEXT))


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("核实结果"), max_length=200, widget=forms.TextInput(TEXT))
