"""Import-export for the registry of children in distress and left behind and
for the child directors' roster (admin and the workbench's chunked import):
good rows are kept, bad rows are reported with their row number and a Chinese
reason; ID numbers are masked on export."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields

from civil_affairs import clock
from civil_affairs.calendar import deadline_after
from civil_affairs.models import AuditEvent, Person, Region, Role, User
from civil_affairs.resources import (
    CheckedResource,
    ChoiceWidget,
    CodeForeignKeyWidget,
    KeyWidget,
    StrictResource,
    TextWidget,
)
from civil_affairs.rules import mask_id_number
from civil_affairs.services import audit_record

from . import rules
from .models import Child, Director, Risk
from .selectors import standards_in_force


class ChildResource(CheckedResource):
    """One row per child: ID number, category, risk, guardian, school.  The
    region is where the child lives; the first visit is due by risk."""

    person = fields.Field(attribute="person", column_name="儿童身份证号", widget=KeyWidget(Person, field="id_number"))
    kind = fields.Field(attribute="kind", column_name="类别", widget=ChoiceWidget(Child.Kind.choices))
    risk = fields.Field(attribute="risk", column_name="风险等级", widget=ChoiceWidget(Risk.choices))
    guardian_name = fields.Field(attribute="guardian_name", column_name="监护人姓名", widget=TextWidget())
    guardian_situation = fields.Field(attribute="guardian_situation", column_name="监护人情况", widget=TextWidget())
    school = fields.Field(attribute="school", column_name="就读学校", widget=TextWidget())

    required = ("person", "kind", "risk")
    derived = {"person": ("region",)}

    class Meta(StrictResource.Meta):
        model = Child
        import_id_fields = ("person",)
        force_init_instance = True
        fields = ("person", "kind", "risk", "guardian_name", "guardian_situation", "school")
        export_order = fields

    masked_on_export = {"person": mask_id_number}

    def get_queryset(self):
        return Child.objects.select_related("person")

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if instance.person_id:
                today = clock.today()
                instance.region_id = instance.person.residence_region_id
                instance.registered_on = today
                if instance.risk in Risk.values:
                    standards = standards_in_force(instance.region_id, today)
                    due = deadline_after(today, rules.first_visit_working_days(instance.risk, standards))
                    instance.first_visit_due = instance.next_visit_due = due

    def check_row(self, instance, errors):
        if "person" in errors or not instance.person_id:
            return
        if rules.age_on(instance.person.birth_date, clock.today()) >= 18:
            errors["person"] = [_("只能登记未满 18 周岁的儿童。")]
        elif Child.objects.filter(person_id=instance.person_id).exists():
            errors["person"] = [_("该儿童已在台账中。")]

    def after_save_instance(self, instance, row, **kwargs):
        from .models import RiskChange

        RiskChange.objects.get_or_create(
            child=instance, version=1, defaults={"old": "", "new": instance.risk, "reason": _("导入登记")}
        )
        audit_record(
            actor=getattr(self, "actor", None),
            action=AuditEvent.Action.CREATE,
            target=instance,
            changes={"step": "register", "import": True, "kind": instance.kind, "risk": instance.risk},
        )


class DirectorResource(CheckedResource):
    """The child directors' roster: account name and village/community code."""

    user = fields.Field(attribute="user", column_name="账号", widget=CodeForeignKeyWidget(User, field="username"))
    region = fields.Field(attribute="region", column_name="村（社区）区划代码", widget=KeyWidget(Region, field="code"))
    phone = fields.Field(attribute="phone", column_name="联系电话", widget=TextWidget())

    required = ("user", "region")

    class Meta(StrictResource.Meta):
        model = Director
        import_id_fields = ("user",)
        fields = ("user", "region", "phone")
        export_order = fields

    def check_row(self, instance, errors):
        if "user" not in errors and instance.user_id and instance.user.role != Role.COMMUNITY_WORKER:
            errors["user"] = [_("儿童主任须为村（社区）工作人员账号。")]
        if "region" not in errors and instance.region_id and instance.region.level != Region.Level.VILLAGE:
            errors["region"] = [_("儿童主任按村（社区）设置。")]
        elif "region" not in errors and instance.region_id:
            other = Director.objects.filter(region_id=instance.region_id).exclude(user_id=instance.user_id).first()
            if other is not None:
                errors["region"] = [_("该村（社区）已有儿童主任。")]

    def after_save_instance(self, instance, row, **kwargs):
        audit_record(
            actor=getattr(self, "actor", None),
            action=AuditEvent.Action.CREATE,
            target=instance,
            changes={"step": "assign", "import": True, "region": instance.region_id},
        )
