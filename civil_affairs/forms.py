from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import clock, rules
from .models import Document
from .resources import import_kinds_for


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates render fields as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = {"checkbox": "form-check-input", "select": "form-select"}.get(
                getattr(widget, "input_type", None) or ("select" if isinstance(widget, forms.Select) else ""),
                "form-control",
            )
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LoginForm(BootstrapMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次错误后账号将被暂时锁定。"),
        "inactive": _("该账号已停用。"),
    }


class ResidentRegisterForm(BootstrapMixin, forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("公民身份号码"), min_length=1, max_length=18, help_text=_("18位，最后一位可能为X")
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能全为数字"),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    agree = forms.BooleanField(label=_("我确认以上信息真实，并同意民政部门依法核对"), required=True)

    def clean_phone(self):
        # Full-width digits are accepted; "\d" would also let other scripts' digits through.
        try:
            return rules.parse_mobile_phone(self.cleaned_data["phone"])
        except rules.PhoneError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_id_number(self):
        try:
            return rules.parse_id_number(self.cleaned_data["id_number"]).number
        except rules.IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class RegisterCodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        error_messages={"min_length": _("验证码为6位数字。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class DocumentUploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Document.Kind.choices)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPG 或 PNG，不超过 10 MB"))


class RegistryImportForm(BootstrapMixin, forms.Form):
    """What to import: the kinds this user's role may load."""

    kind = forms.ChoiceField(label=_("导入内容"))
    file = forms.FileField(label=_("文件"), help_text=_("CSV（UTF-8）或 Excel .xlsx，第一行为列名"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = import_kinds_for(user)


class DeathRecordForm(BootstrapMixin, forms.Form):
    """A caseworker records a death seen on a certificate (civil_affairs.life_events)."""

    death_date = forms.DateField(label=_("死亡日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("依据（如死亡证明编号）"), max_length=200, required=False)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["death_date"].widget.attrs["max"] = clock.today().isoformat()

    def clean_death_date(self):
        value = self.cleaned_data["death_date"]
        if value > clock.today():
            raise forms.ValidationError(_("死亡日期不能晚于今天。"))
        if value < self.person.birth_date:
            raise forms.ValidationError(_("死亡日期不能早于出生日期。"))
        return value


class OverviewForm(BootstrapMixin, forms.Form):
    """The bureau overview's day (today unless chosen; never after today)."""

    day = forms.DateField(label=_("统计日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self):
        value = self.cleaned_data["day"] or clock.today()
        if value > clock.today():
            raise forms.ValidationError(_("统计日期不能晚于今天。"))
        return value
