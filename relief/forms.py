"""Residents' online application forms, one per step."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civil_affairs.forms import BootstrapMixin
from civil_affairs.models import AssetRecord, Document, HouseholdMember, IncomeRecord, Person, Region

from .models import Application, Kind

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0,
         "error_messages": {"min_value": _("金额不能为负数。"), "invalid": _("请输入金额（元）。")}}
ONLINE_KINDS = [(Kind.DIBAO, Kind.DIBAO.label), (Kind.TEMPORARY, Kind.TEMPORARY.label)]


class ApplyStartForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("申请类别"), choices=ONLINE_KINDS)
    temporary_type = forms.ChoiceField(label=_("临时救助类型"), required=False,
                                       choices=[("", "—")] + Application.TemporaryType.choices,
                                       help_text=_("急难型：火灾、交通事故、突发重病等；支出型：医疗、教育等刚性支出过大。"))
    region = forms.ModelChoiceField(label=_("所在社区/村（临时救助为困难发生地）"), queryset=Region.objects.none())
    address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)
    reason = forms.CharField(label=_("申请事由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.TEMPORARY and not data.get("temporary_type"):
            self.add_error("temporary_type", _("请选择临时救助类型。"))
        return data


class ApplyMemberForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18, min_length=18,
                                error_messages={"min_length": _("身份证号码应为18位。")})
    relation = forms.ChoiceField(label=_("与户主关系"), choices=[
        c for c in HouseholdMember.Relation.choices if c[0] != HouseholdMember.Relation.HEAD])
    disability_grade = forms.TypedChoiceField(label=_("残疾等级"), coerce=int, choices=Person.Disability.choices,
                                              initial=0)
    disability_type = forms.ChoiceField(label=_("残疾类别"), choices=Person.DisabilityType.choices, required=False)
    labour_capacity = forms.ChoiceField(label=_("劳动能力"), choices=Person.LabourCapacity.choices)
    serious_illness = forms.BooleanField(label=_("患重特大疾病"), required=False)


class _MemberChoiceForm(BootstrapMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("家庭成员"), queryset=Person.objects.none())

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(pk__in=[m.person_id for m in members])
        self.fields["person"].label_from_instance = lambda p: p.name


class ApplyIncomeForm(_MemberChoiceForm):
    kind = forms.ChoiceField(label=_("收入类型"), choices=IncomeRecord.Kind.choices)
    monthly_amount = forms.DecimalField(label=_("月均金额（元）"), **MONEY)
    months = forms.TypedChoiceField(label=_("近几个月有此收入"), coerce=int, initial=12,
                                    choices=[(n, f"{n}") for n in range(12, 0, -1)])


class ApplyAssetForm(_MemberChoiceForm):
    kind = forms.ChoiceField(label=_("财产类型"), choices=AssetRecord.Kind.choices)
    amount = forms.DecimalField(label=_("金额或价值（元）"), **MONEY,
                                help_text=_("存款、证券填余额；车辆、房产填估值；工商登记填注册资本。"))


AUTHORISATION_TEXT = _("本人及共同生活的家庭成员授权民政部门及其委托的核对机构，依法查询、核对我家庭成员的收入、"
                       "财产、社会保险、车辆、房产、工商登记等信息，用于社会救助审核确认。本人承诺所填信息真实，"
                       "如有虚假愿承担相应责任。")


class ApplyAuthorisationForm(BootstrapMixin, forms.Form):
    authorised_verification = forms.BooleanField(label=_("我已阅读并同意上述家庭经济状况核对授权"), required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60)
    bank_account = forms.RegexField(label=_("收款银行账号"), regex=r"^\d{12,30}$",
                                    error_messages={"invalid": _("银行账号应为12至30位数字。")})
    requested_amount = forms.DecimalField(label=_("申请救助金额（元，临时救助填写）"), required=False, **MONEY)


class ApplyDocumentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Document.Kind.choices)
    file = forms.FileField(label=_("文件（PDF、JPG、PNG，不超过10MB）"))
