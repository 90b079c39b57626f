"""django-import-export resources for the registry (CSV and Excel), used by
the admin's export and by the chunked import (services.registry_import_run)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import fields, resources, widgets

from . import text
from .areas import ImportKind, registered
from .models import Household, HouseholdMember, Parameter, Person, Region
from .parameters import parameter_keys, parameter_set, value_problem
from .rules import mask_id_number, mask_phone, normalise_person_name


class CodeForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key given by its code; an unknown code is a row error that says which."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        value = str(value).strip()
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(_("找不到%(what)s：%(v)s") % {"what": self.model._meta.verbose_name, "v": value}) from None


class StrictResource(resources.ModelResource):
    """Validates every row with the model's own rules before saving."""

    class Meta:
        abstract = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    # resource field → its mask on export, for users without the `full_id_number`
    # capability (the admin's SafeExportMixin passes full_numbers).
    masked_on_export: dict = {}

    def __init__(self, full_numbers: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.full_numbers = full_numbers

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        mask = None if self.full_numbers else self.masked_on_export.get(self.get_field_name(field))
        return mask(str(value)) if mask and value else value


class RegionResource(StrictResource):
    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")
    parent = fields.Field(attribute="parent", column_name="parent", widget=CodeForeignKeyWidget(Region, field="code"))
    is_urban = fields.Field(attribute="is_urban", column_name="is_urban", widget=widgets.BooleanWidget())

    class Meta(StrictResource.Meta):
        model = Region
        import_id_fields = ("code",)
        fields = ("code", "name", "parent", "is_urban")
        exclude = ("level", "prefix")

    def before_import_row(self, row, **kwargs):
        code = str(row.get("code") or "").strip()
        if len(code) != 12 or not code.isdigit():
            raise ValidationError({"code": _("区划代码应为12位数字：%(c)s") % {"c": code}})
        row["code"] = code


class PersonResource(StrictResource):
    id_number = fields.Field(attribute="id_number", column_name="id_number")
    hukou_region = fields.Field(
        attribute="hukou_region", column_name="hukou_region", widget=CodeForeignKeyWidget(Region, field="code")
    )
    residence_region = fields.Field(
        attribute="residence_region", column_name="residence_region", widget=CodeForeignKeyWidget(Region, field="code")
    )

    class Meta(StrictResource.Meta):
        model = Person
        import_id_fields = ("id_number",)
        fields = (
            "id_number",
            "name",
            "hukou_region",
            "residence_region",
            "phone",
            "disability_grade",
            "disability_type",
            "labour_capacity",
            "death_date",
        )
        export_order = fields

    masked_on_export = {"id_number": mask_id_number, "phone": mask_phone}

    def before_import_row(self, row, **kwargs):
        row["id_number"] = str(row.get("id_number") or "").strip().upper()
        row["name"] = normalise_person_name(str(row.get("name") or ""))  # 欧阳・娜娜 → 欧阳·娜娜
        if not row.get("residence_region"):
            row["residence_region"] = row.get("hukou_region")


class HouseholdResource(StrictResource):
    region = fields.Field(attribute="region", column_name="region", widget=CodeForeignKeyWidget(Region, field="code"))

    class Meta(StrictResource.Meta):
        model = Household
        import_id_fields = ("number",)
        fields = ("number", "region", "address")
        export_order = fields


class HouseholdMemberResource(StrictResource):
    """One row per member: household number, ID number, relation to the head."""

    household = fields.Field(
        attribute="household", column_name="household", widget=CodeForeignKeyWidget(Household, field="number")
    )
    person = fields.Field(
        attribute="person", column_name="id_number", widget=CodeForeignKeyWidget(Person, field="id_number")
    )

    class Meta(StrictResource.Meta):
        model = HouseholdMember
        import_id_fields = ("person",)
        fields = ("household", "person", "relation")

    masked_on_export = {"person": mask_id_number}


# ---------------------------------------------------------------- widgets and checked rows
# For files people fill in by hand (areas' rosters, the dated parameters):
# dates, numbers and choices in the forms people write them, and every problem
# of a row reported under the spreadsheet's own column header.

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)


def _text(value) -> str:
    """A cell as text: Excel gives numbers for digit-only codes."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value, *, month_only: bool) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1) if month_only else value
    text = _text(value)
    match = _DATE.match(text)
    try:
        if not match or (match.group(3) is None and not month_only):
            raise ValueError
        day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        if month_only:
            raise ValueError(_("月份格式应为 YYYY-MM：%(v)s") % {"v": text}) from None
        raise ValueError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": text}) from None
    return day.replace(day=1) if month_only else day


class DayWidget(widgets.DateWidget):
    """'2026-12-15', '2026/12/15', '2026年12月15日' or an Excel date."""

    def clean(self, value, row=None, **kwargs):
        return _parse_date(value, month_only=False)


class MonthWidget(widgets.DateWidget):
    """'2026-12', '2026-12-15' or an Excel date → the first day of that month."""

    def clean(self, value, row=None, **kwargs):
        return _parse_date(value, month_only=True)

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%Y-%m") if value else ""


class NumberWidget(widgets.DecimalWidget):
    """A decimal; thousands separators allowed; anything else is a row error in Chinese."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = format(value, ".12g") if isinstance(value, float) else _text(value).replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("应为数字：%(v)s") % {"v": _text(value)}) from None
        if not number.is_finite():
            raise ValueError(_("应为数字：%(v)s") % {"v": _text(value)})
        return number


class CountWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            number = Decimal(_text(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("应为整数：%(v)s") % {"v": _text(value)})
        return int(number)


class TextWidget(widgets.Widget):
    def __init__(self, upper: bool = False):
        super().__init__()
        self.upper = upper

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return text.upper() if self.upper else text


class KeyWidget(CodeForeignKeyWidget):
    """A foreign key by its code; Excel numbers and lower-case 'x' accepted."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value).upper()
        return super().clean(text or None, row=row, **kwargs)


class ChoiceWidget(widgets.Widget):
    """A choice given by its code or its Chinese label."""

    def __init__(self, choices):
        super().__init__()
        self.by_text = {str(label): code for code, label in choices} | {code: code for code, _label in choices}

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return ""
        if text not in self.by_text:
            raise ValueError(_("无法识别的值：%(v)s") % {"v": text})
        return self.by_text[text]


class ParameterKeyWidget(widgets.Widget):
    """A registered parameter key, by its code, its label or “label（unit）”."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return ""
        for key in parameter_keys().values():
            if text in (key.key, str(key.label), f"{key.label}（{key.unit}）"):
                return key.key
        raise ValueError(_("未登记的参数项目“%(key)s”：各业务领域只能设置自己登记的参数。") % {"key": text})


class CheckedResource(StrictResource):
    """Every row's problems are collected (widgets, the checks in check_row,
    the model's own validation) and reported under the Chinese column headers."""

    required: tuple[str, ...] = ()
    # attribute → model fields derived from it, not validated when it is wrong
    derived: dict[str, tuple[str, ...]] = {}

    class Meta(StrictResource.Meta):
        abstract = True

    def before_import(self, dataset, **kwargs):
        self.actor = kwargs.get("user")
        headers = {str(h).strip() for h in (dataset.headers or [])}
        self.missing_columns = [
            self.fields[a].column_name for a in self.required if self.fields[a].column_name not in headers
        ]

    def check_row(self, instance, errors: dict) -> None:
        """Add business problems to `errors` (attribute → message)."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if getattr(self, "missing_columns", None):
            errors[NON_FIELD_ERRORS] = [_("文件缺少列：%(c)s") % {"c": text.words(self.missing_columns)}]
        else:
            for attr in self.required:
                field = instance._meta.get_field(attr)
                if attr not in errors and getattr(instance, field.attname) in (None, ""):
                    errors[attr] = [_("不能为空。")]
            self.check_row(instance, errors)
        exclude = set(errors)
        for attr, dependants in self.derived.items():
            if attr in errors:
                exclude.update(dependants)
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(self._by_column(errors))

    def _by_column(self, errors: dict) -> dict:
        columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        labelled = {}
        for key, messages in errors.items():
            if key == NON_FIELD_ERRORS:
                label = key
            elif key in columns:
                label = columns[key]
            else:
                try:
                    label = str(self._meta.model._meta.get_field(key).verbose_name)
                except FieldDoesNotExist:  # a constraint's name or another non-field key
                    label = NON_FIELD_ERRORS
            labelled.setdefault(label, []).extend(messages if isinstance(messages, list) else [messages])
        return labelled


class ParameterResource(CheckedResource):
    """Dated parameters (civil_affairs.parameters): one value per row; a row
    for an existing region + key + date corrects its value.  The key is given
    by its code or its label (with or without its unit); only registered keys
    are taken, and each value is checked against its key's bounds."""

    region = fields.Field(attribute="region", column_name="区划代码", widget=KeyWidget(Region, field="code"))
    key = fields.Field(attribute="key", column_name="项目", widget=ParameterKeyWidget())
    value = fields.Field(attribute="value", column_name="数值", widget=NumberWidget())
    effective_from = fields.Field(attribute="effective_from", column_name="生效日期", widget=DayWidget())
    note = fields.Field(attribute="note", column_name="依据/说明", widget=TextWidget())

    required = ("region", "key", "value", "effective_from")

    class Meta(StrictResource.Meta):
        model = Parameter
        import_id_fields = ("region", "key", "effective_from")
        fields = ("region", "key", "value", "effective_from", "note")
        export_order = fields

    def get_queryset(self):
        return Parameter.objects.select_related("region")

    def check_row(self, instance, errors):
        key = parameter_keys().get(instance.key)
        if "value" not in errors and "key" not in errors and key and instance.value is not None:
            problem = value_problem(key, instance.value)
            if problem:
                errors["value"] = [problem]

    def do_instance_save(self, instance, is_create):
        """Through the service, so each new or changed value is audited."""
        saved = parameter_set(
            actor=getattr(self, "actor", None),
            region=instance.region,
            key=instance.key,
            value=instance.value,
            effective_from=instance.effective_from,
            note=instance.note or "",
        )
        instance.pk = saved.pk


# The core's import kinds; policy areas register theirs with their Area (areas.py).
CORE_IMPORT_KINDS = (
    ImportKind("region", RegionResource, _lazy("行政区划"), "registry_import"),
    ImportKind("person", PersonResource, _lazy("人员"), "registry_import"),
    ImportKind("household", HouseholdResource, _lazy("家庭"), "registry_import"),
    ImportKind("member", HouseholdMemberResource, _lazy("家庭成员"), "registry_import"),
    ImportKind("parameter", ParameterResource, _lazy("政策参数（各业务标准）"), "parameter_configure"),
)


def import_kinds() -> dict[str, ImportKind]:
    """Every import kind, the core's first, then each area's in menu order."""
    kinds: dict[str, ImportKind] = {}
    for kind in (*CORE_IMPORT_KINDS, *(k for area in registered() for k in area.import_kinds)):
        kinds.setdefault(kind.key, kind)
    return kinds


def import_kinds_for(user) -> list[tuple[str, str]]:
    from .permissions import has_capability

    return [(key, kind.label) for key, kind in import_kinds().items() if has_capability(user, kind.capability)]
