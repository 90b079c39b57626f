"""Relief forms: the residents' online application first (one form per
step), then the workbench's forms, one per procedure step."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civil_affairs import clock
from civil_affairs.forms import BootstrapMixin
from civil_affairs.models import AssetRecord, Document, HouseholdMember, IncomeRecord, Person, Region
from civil_affairs.rules import IdNumberError, PersonNameError, parse_id_number, validate_person_name

from .models import Application, Kind

MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "min_value": 0,
    "error_messages": {
        "min_value": _("金额不能为负数。"),
        "invalid": _("请输入金额（元）。"),
        "max_decimal_places": _("金额最多保留两位小数（到分）。"),
        "max_digits": _("金额过大，请核对。"),
    },
}

# ---------------------------------------------------------------- residents' online application

ONLINE_KINDS = [(Kind.DIBAO, Kind.DIBAO.label), (Kind.TEMPORARY, Kind.TEMPORARY.label)]


def _region_options(regions) -> list[tuple[str, str]]:
    return [("", "—")] + [(r.code, r.name) for r in regions]


class ApplyStartForm(BootstrapMixin, forms.Form):
    """What to apply for and, for a resident with no household yet, where they
    live: district → street → community, each select filled from the one
    before it (relief_portal:region_options), never a list of every community."""

    kind = forms.ChoiceField(label=_("申请类别"), choices=ONLINE_KINDS)
    temporary_type = forms.ChoiceField(
        label=_("临时救助类型"),
        required=False,
        choices=[("", "—")] + Application.TemporaryType.choices,
        help_text=_("急难型：火灾、交通事故、突发重病等；支出型：医疗、教育等刚性支出过大。"),
    )
    district = forms.ChoiceField(label=_("所在区县"), required=False)
    street = forms.ChoiceField(label=_("所在街道/乡镇"), required=False)
    region = forms.ModelChoiceField(
        label=_("所在社区/村"), queryset=Region.objects.none(), error_messages={"invalid_choice": _("请选择社区或村。")}
    )
    address = forms.CharField(
        label=_("家庭住址"), max_length=200, help_text=_("您尚未登记家庭，提交后将以您为户主登记新家庭。")
    )
    reason = forms.CharField(label=_("申请事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        if household is not None:
            # A registered household applies where it is registered: nothing to ask.
            for name in ("district", "street", "region", "address"):
                del self.fields[name]
            self.household_region = household.region
            return
        from .selectors.applications import city_districts, region_options

        self.household_region = None
        villages = Region.objects.filter(level=Region.Level.VILLAGE)
        self.fields["region"].queryset = villages
        # The choices shown follow what is chosen (posted, or the resident's residence).
        chosen = (self.data.get("region") if self.is_bound else self.initial.get("region")) or ""
        village = villages.select_related("parent").filter(code=chosen).first() if chosen else None
        district = (self.data.get("district") if self.is_bound else "") or (village.parent.parent_id if village else "")
        street = (self.data.get("street") if self.is_bound else "") or (village.parent_id if village else "")
        self.initial.update(district=district, street=street)
        self.fields["district"].choices = _region_options(city_districts())
        self.fields["street"].choices = _region_options(region_options(district) if district else [])
        self.fields["region"].widget.choices = _region_options(region_options(street) if street else [])
        for name, target in (("district", "street"), ("street", "region")):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse_lazy("relief_portal:region_options"),
                    "hx-target": f"#id_{target}",
                    "hx-trigger": "change",
                    "hx-swap": "innerHTML",
                    "data-cascade-clear": "#id_region",
                }
            )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.TEMPORARY and not data.get("temporary_type"):
            self.add_error("temporary_type", _("请选择临时救助类型。"))
        data.setdefault("address", "")
        if self.household_region is not None:
            data["region"] = self.household_region
        return data


class ApplyMemberForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("公民身份号码"), max_length=18, error_messages={"max_length": _("身份证号码应为18位。")}
    )
    relation = forms.ChoiceField(
        label=_("与户主关系"),
        choices=[c for c in HouseholdMember.Relation.choices if c[0] != HouseholdMember.Relation.HEAD],
    )
    disability_grade = forms.TypedChoiceField(
        label=_("残疾等级"), coerce=int, choices=Person.Disability.choices, initial=0
    )
    disability_type = forms.ChoiceField(label=_("残疾类别"), choices=Person.DisabilityType.choices, required=False)
    labour_capacity = forms.ChoiceField(label=_("劳动能力"), choices=Person.LabourCapacity.choices)
    serious_illness = forms.BooleanField(label=_("患重特大疾病"), required=False)

    def clean_name(self) -> str:
        try:
            return validate_person_name(self.cleaned_data["name"])
        except PersonNameError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_id_number(self) -> str:
        try:
            return parse_id_number(self.cleaned_data["id_number"].strip().upper()).number
        except IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from None


class ApplyMemberEditForm(ApplyMemberForm):
    """Correcting a member: relation and declared facts.  The name and ID number
    are the registry's (a wrong one: delete the member and add them again)."""

    def __init__(self, *args, member=None, **kwargs):
        person = member.person
        kwargs.setdefault(
            "initial",
            {
                "relation": member.relation,
                "disability_grade": person.disability_grade,
                "disability_type": person.disability_type,
                "labour_capacity": person.labour_capacity,
                "serious_illness": person.serious_illness,
            },
        )
        super().__init__(*args, **kwargs)
        del self.fields["name"], self.fields["id_number"]
        if member.relation == HouseholdMember.Relation.HEAD:
            del self.fields["relation"]


class _MemberChoiceForm(BootstrapMixin, forms.Form):
    person = forms.ModelChoiceField(
        label=_("家庭成员"), queryset=Person.objects.none(), error_messages={"invalid_choice": _("请选择家庭成员。")}
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(pk__in=[m.person_id for m in members])
        self.fields["person"].label_from_instance = lambda p: p.name


class ApplyIncomeForm(_MemberChoiceForm):
    kind = forms.ChoiceField(label=_("收入类型"), choices=IncomeRecord.Kind.choices)
    monthly_amount = forms.DecimalField(label=_("月均金额（元）"), **MONEY)
    months = forms.TypedChoiceField(
        label=_("近几个月有此收入"),
        coerce=int,
        initial=12,
        choices=[(n, format_lazy("{}{}", n, _("个月"))) for n in range(12, 0, -1)],
    )


class ApplyAssetForm(_MemberChoiceForm):
    kind = forms.ChoiceField(label=_("财产类型"), choices=AssetRecord.Kind.choices)
    amount = forms.DecimalField(
        label=_("金额或价值（元）"), **MONEY, help_text=_("存款、证券填余额；车辆、房产填估值；工商登记填注册资本。")
    )


AUTHORISATION_TEXT = _(
    "本人及共同生活的家庭成员授权民政部门及其委托的核对机构，依法查询、核对我家庭成员的收入、"
    "财产、社会保险、车辆、房产、工商登记等信息，用于社会救助审核确认。本人承诺所填信息真实，"
    "如有虚假愿承担相应责任。"
)


class ApplyAuthorisationForm(BootstrapMixin, forms.Form):
    authorised_verification = forms.BooleanField(label=_("我已阅读并同意上述家庭经济状况核对授权"), required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60)
    bank_account = forms.CharField(
        label=_("收款银行账号"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    requested_amount = forms.DecimalField(label=_("申请救助金额（元）"), **MONEY)

    def __init__(self, *args, kind: str = Kind.DIBAO, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != Kind.TEMPORARY:
            del self.fields["requested_amount"]

    def clean_bank_account(self) -> str:
        account = self.cleaned_data["bank_account"].replace(" ", "")
        if not (account.isdigit() and 12 <= len(account) <= 30):
            raise forms.ValidationError(_("银行账号应为12至30位数字。"))
        return account

    def clean_requested_amount(self) -> Decimal:
        amount = self.cleaned_data["requested_amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("申请救助金额须大于0。"))
        return amount

    def clean(self):
        data = super().clean()
        data.setdefault("requested_amount", None)
        return data


class SubmitNoteForm(BootstrapMixin, forms.Form):
    missing_documents_note = forms.CharField(
        label=_("未上传材料的说明"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：户口簿在老家，受理时带到窗口；单位收入证明尚在开具。"),
    )


class ApplyDocumentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Document.Kind.choices)
    file = forms.FileField(
        label=_("文件（PDF、JPG、PNG，不超过10MB）"),
        error_messages={"empty": _("上传的文件是空的。"), "invalid": _("请选择要上传的文件。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


# ---------------------------------------------------------------- workbench: one form per procedure step


class QueueFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("申请编号/姓名/身份证号/户编号"), required=False)
    kind = forms.ChoiceField(label=_("救助类别"), required=False, choices=[("", _("全部"))] + Kind.choices)
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("办理中"))] + Application.State.choices)
    overdue = forms.BooleanField(label=_("仅看超期"), required=False)


class ApplicationNewForm(BootstrapMixin, forms.Form):
    household_number = forms.CharField(label=_("户编号"), max_length=20)
    kind = forms.ChoiceField(label=_("救助类别"), choices=Kind.choices)
    temporary_type = forms.ChoiceField(
        label=_("临时救助类型"), required=False, choices=[("", "—")] + Application.TemporaryType.choices
    )
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
        from .selectors.applications import NOT_A_SECOND_VISITOR, visitor_name

        field = self.fields["second_visitor"]
        field.queryset = visitors
        field.label_from_instance = lambda u: f"{visitor_name(u)}（{u.region.name}）"
        field.error_messages["invalid_choice"] = NOT_A_SECOND_VISITOR
        # Street-level cases are decided by a caseworker: never by one who visited.
        field.help_text = _("共同调查人须为本街道（乡镇）经办人，须本人登录确认调查记录；参与调查的人员不得审批本案。")
        self.fields["visited_on"].initial = clock.today()


class ProposeForm(BootstrapMixin, forms.Form):
    care_level = forms.ChoiceField(
        label=_("照料护理等级（特困）"), required=False, choices=[("", "—")] + Application.CareLevel.choices
    )
    support_mode = forms.ChoiceField(
        label=_("供养方式（特困）"), required=False, choices=[("", "—")] + Application.SupportMode.choices
    )
    has_capable_supporter = forms.BooleanField(label=_("有具备履行能力的法定义务人（特困）"), required=False)
    amount = forms.DecimalField(label=_("拟救助金额（元，临时救助）"), required=False, **MONEY)
    note = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    # Only the fields of the application's kind are shown; the others are blank.
    KIND_FIELDS = {Kind.TEKUN: ("care_level", "support_mode", "has_capable_supporter"), Kind.TEMPORARY: ("amount",)}

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        own = self.KIND_FIELDS.get(kind, ())
        for name in {f for fields in self.KIND_FIELDS.values() for f in fields} - set(own):
            del self.fields[name]

    def clean(self):
        data = super().clean()
        for name, blank in (
            ("care_level", ""),
            ("support_mode", ""),
            ("has_capable_supporter", False),
            ("amount", None),
        ):
            data.setdefault(name, blank)
        return data


class ObjectionForm(BootstrapMixin, forms.Form):
    received_on = forms.DateField(
        label=_("收到日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    raised_by = forms.CharField(label=_("异议人（可匿名）"), max_length=60, required=False)
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("不予批准理由（申请人可见）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("留空则使用审核意见中的不符合条件原因。"),
    )


class PayFirstForm(BootstrapMixin, forms.Form):
    amount = forms.DecimalField(label=_("先行救助金额（元）"), **MONEY)


class EmptyForm(BootstrapMixin, forms.Form):
    pass


class BenefitStatusForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
