"""Reads for the senior allowance (尊老金): its district rolls are a kind of
the core's rolls (SENIOR_ALLOWANCE: scoped reads, approval, bank file and
pages in civil_affairs/rolls.py); the batch runs; a resident's own payments."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _lazy

from civil_affairs.models import BatchRun
from civil_affairs.permissions import has_capability
from civil_affairs.rolls import Column, RollKind
from civil_affairs.rules import region_ancestors
from civil_affairs.selectors import batchrun_with_state, jurisdiction_prefix

from ..models import Band, SeniorAllowance, SeniorAllowanceRoll

RUN_KIND = "eldercare_senior_allowance"


def band_labels() -> dict[str, str]:
    return dict(Band.choices)


SENIOR_ALLOWANCE = RollKind(
    key="eldercare_senior_allowance",
    label=_lazy("尊老金花名册"),
    roll_model=SeniorAllowanceRoll,
    line_model=SeniorAllowance,
    run_kind=RUN_KIND,
    view_capability="allowance_view",
    approve_capability="allowance_approve",
    person="person",
    beneficiary="person",
    category="band",
    category_label=_lazy("年龄段"),
    category_labels=band_labels,
    count_unit=_lazy("人"),
    count_label=_lazy("发放人数"),
    url_names={
        "list": "eldercare:allowance",
        "detail": "eldercare:allowance_roll",
        "approve": "eldercare:allowance_roll_approve",
        "bank_file": "eldercare:allowance_roll_bank_file",
    },
    bank_file_name="senior-allowance",
    slug="allowance",
    list_label=_lazy("尊老金（免申即享）"),
    run_label=_lazy("尊老金发放"),
    line_columns=(Column(_lazy("上月末年龄"), lambda line: line.age, "text-end"),),
    bank_columns=((_lazy("年龄"), "age"),),
    totals_caption=_lazy("按年龄段合计"),
    month_caption=_lazy("户籍在本市、上月末年满80周岁且在世的老人，自年满80周岁的次月起按年龄段发放，无需申请。"),
)


def allowance_runs_for_user(user) -> QuerySet[BatchRun]:
    """The month runs a viewer of the rolls sees: their jurisdiction's and the regions' above it, newest first."""
    if not has_capability(user, "allowance_view"):
        return BatchRun.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return BatchRun.objects.none()
    runs = (
        BatchRun.objects.filter(kind=RUN_KIND)
        .select_related("created_by")
        .filter(
            Q(region__isnull=True)
            | Q(region_id__in=region_ancestors(user.region_id))
            | Q(region__code__startswith=prefix)
        )
        .order_by("-created_at", "-pk")
    )
    return batchrun_with_state(runs, user)


def allowance_list_for_resident(user) -> QuerySet[SeniorAllowance]:
    """A resident's own payments, newest month first (none for anyone else)."""
    if not getattr(user, "is_resident", False) or user.person_id is None:
        return SeniorAllowance.objects.none()
    return SeniorAllowance.objects.filter(person_id=user.person_id).select_related("roll").order_by("-month")


def allowance_list_for_person(user, person) -> QuerySet[SeniorAllowance]:
    """A person's payments within the user's jurisdiction (person 360)."""
    if not has_capability(user, "allowance_view"):
        return SeniorAllowance.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return SeniorAllowance.objects.none()
    return SeniorAllowance.objects.filter(person=person, region__code__startswith=prefix).order_by("-month")
