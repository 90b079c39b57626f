"""django-import-export resources for the registry (CSV and Excel), used by
the admin's export and by the chunked import (services.registry_import_run)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import fields, resources, widgets

from .areas import ImportKind, registered
from .models import Household, HouseholdMember, Person, Region
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
    parent = fields.Field(attribute="parent", column_name="parent",
                          widget=CodeForeignKeyWidget(Region, field="code"))
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
    hukou_region = fields.Field(attribute="hukou_region", column_name="hukou_region",
                                widget=CodeForeignKeyWidget(Region, field="code"))
    residence_region = fields.Field(attribute="residence_region", column_name="residence_region",
                                    widget=CodeForeignKeyWidget(Region, field="code"))

    class Meta(StrictResource.Meta):
        model = Person
        import_id_fields = ("id_number",)
        fields = ("id_number", "name", "hukou_region", "residence_region", "phone", "disability_grade",
                  "disability_type", "labour_capacity", "death_date")
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

    household = fields.Field(attribute="household", column_name="household",
                             widget=CodeForeignKeyWidget(Household, field="number"))
    person = fields.Field(attribute="person", column_name="id_number",
                          widget=CodeForeignKeyWidget(Person, field="id_number"))

    class Meta(StrictResource.Meta):
        model = HouseholdMember
        import_id_fields = ("person",)
        fields = ("household", "person", "relation")

    masked_on_export = {"person": mask_id_number}


# The core's import kinds; policy areas register theirs with their Area (areas.py).
CORE_IMPORT_KINDS = (
    ImportKind("region", RegionResource, _lazy("行政区划"), "registry_import"),
    ImportKind("person", PersonResource, _lazy("人员"), "registry_import"),
    ImportKind("household", HouseholdResource, _lazy("家庭"), "registry_import"),
    ImportKind("member", HouseholdMemberResource, _lazy("家庭成员"), "registry_import"),
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
