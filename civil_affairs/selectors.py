"""Every read a page, export or API makes of the shared core, scoped to the
user's jurisdiction.  This is the one place jurisdiction is decided: a staff
user sees the subtree of their region; anyone else sees nothing here."""
from __future__ import annotations

import re

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from .models import (AssetRecord, AuditEvent, BatchRun, Document, ExpenditureRecord, Household,
                     HouseholdMember, IncomeRecord, Person, Region)
from .permissions import has_capability

_PHONE = re.compile(r"^1\d{10}$")
_DIGITS = re.compile(r"^\d{4,17}[\dXx]?$")


def jurisdiction_prefix(user) -> str | None:
    """Leading region-code digits of everything the user may see, or None."""
    if not getattr(user, "is_authenticated", False) or user.is_resident or user.region_id is None:
        return None
    return user.region.prefix


def _scoped(qs: QuerySet, user, field: str) -> QuerySet:
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(**{f"{field}__startswith": prefix})


def region_list_for_user(user) -> QuerySet[Region]:
    return _scoped(Region.objects.all(), user, "code")


def person_list_for_user(user) -> QuerySet[Person]:
    if not has_capability(user, "registry_view"):
        return Person.objects.none()
    return _scoped(Person.objects.select_related("residence_region"), user, "residence_region__code")


def household_list_for_user(user) -> QuerySet[Household]:
    if not has_capability(user, "registry_view"):
        return Household.objects.none()
    heads = HouseholdMember.objects.filter(household=OuterRef("pk"), relation=HouseholdMember.Relation.HEAD)
    sizes = (HouseholdMember.objects.filter(household=OuterRef("pk")).order_by()
             .values("household").annotate(n=Count("id")).values("n"))
    qs = Household.objects.select_related("region").annotate(
        head_name=Subquery(heads.values("person__name")[:1]),
        head_id_number=Subquery(heads.values("person__id_number")[:1]),
        size=Subquery(sizes[:1]),
    )
    return _scoped(qs, user, "region__code")


def registry_search(qs: QuerySet[Person], query: str, *, prefix: str = "") -> QuerySet[Person]:
    """Narrow a person queryset by ID number, phone or name; each branch uses an index."""
    q = (query or "").strip()
    if not q:
        return qs
    if len(q) == 18 and _DIGITS.match(q):
        return qs.filter(**{f"{prefix}id_number": q.upper()})
    if _PHONE.match(q):
        return qs.filter(**{f"{prefix}phone": q})
    if _DIGITS.match(q):
        return qs.filter(**{f"{prefix}id_number__startswith": q.upper()})
    return qs.filter(**{f"{prefix}name__startswith": q})


def household_search(qs: QuerySet[Household], query: str) -> QuerySet[Household]:
    q = (query or "").strip()
    if not q:
        return qs
    if q.upper().startswith("H") or (q.isdigit() and len(q) < 12 and not _PHONE.match(q)):
        by_number = qs.filter(number__startswith=q.upper())
        if by_number.exists():
            return by_number
    members = registry_search(HouseholdMember.objects.all(), q, prefix="person__")
    return qs.filter(pk__in=members.values("household_id"))


def person_get_for_user(user, pk) -> Person:
    person = person_list_for_user(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def person_membership(person: Person) -> HouseholdMember | None:
    return HouseholdMember.objects.select_related("household__region").filter(person=person).first()


def household_get_for_user(user, pk) -> Household:
    household = (
        household_list_for_user(user)
        .prefetch_related(
            Prefetch("members", queryset=HouseholdMember.objects.select_related("person").order_by("id")),
            Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
        )
        .filter(pk=pk)
        .first()
    )
    if household is None:
        raise Http404
    return household


def household_finances(household: Household) -> dict[str, list]:
    """Income, asset and expenditure records of a household, newest first."""
    return {
        "incomes": list(IncomeRecord.objects.filter(household=household).select_related("person")),
        "assets": list(AssetRecord.objects.filter(household=household).select_related("person")),
        "expenditures": list(ExpenditureRecord.objects.filter(household=household).select_related("person")),
    }


def document_get_for_user(user, pk) -> Document:
    """A document is visible to staff whose jurisdiction holds its household or
    person, and to the resident it belongs to."""
    doc = Document.objects.select_related("household", "person").filter(pk=pk).first()
    if doc is None:
        raise Http404
    if getattr(user, "is_authenticated", False) and user.is_resident:
        own = household_for_resident(user)
        if (doc.person_id and doc.person_id == user.person_id) or (own and doc.household_id == own.pk):
            return doc
        raise Http404
    region = doc.household.region_id if doc.household_id else doc.person.residence_region_id
    prefix = jurisdiction_prefix(user)
    if prefix is None or not has_capability(user, "registry_view") or not region.startswith(prefix):
        raise Http404
    return doc


def audit_list_for_user(user) -> QuerySet[AuditEvent]:
    if not has_capability(user, "audit_view"):
        return AuditEvent.objects.none()
    return _scoped(AuditEvent.objects.all(), user, "region_code")


def batchrun_list_for_user(user) -> QuerySet[BatchRun]:
    if not has_capability(user, "batch_view"):
        return BatchRun.objects.none()
    return _scoped(BatchRun.objects.select_related("created_by"), user, "region__code")


def batchrun_get_for_user(user, pk) -> BatchRun:
    run = batchrun_list_for_user(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


# Residents' portal: a resident sees only their own records.

def household_for_resident(user) -> Household | None:
    if not user.is_authenticated or not user.is_resident or user.person_id is None:
        return None
    member = (
        HouseholdMember.objects.select_related("household__region").filter(person_id=user.person_id).first()
    )
    return member.household if member else None


def household_members(household: Household) -> list[HouseholdMember]:
    return list(household.members.select_related("person").order_by("id"))


def household_counts_by_area(user) -> list[dict]:
    """Households per child region of the user's region, for the dashboard chart.
    One GROUP BY on the indexed code prefix, cached for ten minutes."""
    from django.core.cache import cache
    from django.db.models.functions import Left

    from .rules import REGION_PREFIX_LEN

    if not has_capability(user, "registry_view") or user.region.level >= Region.Level.VILLAGE:
        return []
    key = f"household_counts_by_area:{user.region_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    width = REGION_PREFIX_LEN[user.region.level + 1]
    counts = (Household.objects.filter(region__code__startswith=user.region.prefix).order_by()
              .annotate(area=Left("region_id", width)).values("area").annotate(n=Count("id")))
    by_area = {row["area"]: row["n"] for row in counts}
    names = dict(Region.objects.filter(parent_id=user.region_id).values_list("code", "name"))
    result = [{"code": code, "name": name, "households": by_area.get(code[:width], 0)}
              for code, name in sorted(names.items())]
    cache.set(key, result, 600)
    return result
