"""Every read a page, export or API makes of the shared core, scoped to the
user's jurisdiction.  This is the one place jurisdiction is decided: a staff
user sees the subtree of their region; anyone else sees nothing here."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Left, Right
from django.http import Http404

from . import rules
from .models import (
    AssetRecord,
    AuditEvent,
    BatchRun,
    Document,
    ExpenditureRecord,
    Household,
    HouseholdMember,
    IncomeRecord,
    Person,
    Region,
)
from .permissions import has_capability

_PHONE = re.compile(r"^1\d{10}$")
_DIGITS = re.compile(r"^\d{4,17}[\dXx]?$")


def jurisdiction_prefix(user) -> str | None:
    """Leading region-code digits of everything the user may see, or None."""
    if not getattr(user, "is_authenticated", False) or user.is_resident or user.region_id is None:
        return None
    return user.region.prefix


def in_jurisdiction(user, region_code: str) -> bool:
    """Whether a region code lies in the user's region subtree (never for
    residents and users without a region): `scoped` for one record."""
    prefix = jurisdiction_prefix(user)
    return prefix is not None and region_code.startswith(prefix)


def scoped(qs: QuerySet, user, field: str) -> QuerySet:
    """`qs` narrowed to the user's jurisdiction: rows whose region code `field`
    lies in the user's region subtree (none for residents and users without a
    region).  Public: every area scopes its selectors with it."""
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(**{f"{field}__startswith": prefix})


def region_of_code(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def region_list_for_user(user) -> QuerySet[Region]:
    return scoped(Region.objects.all(), user, "code")


def person_list_for_user(user) -> QuerySet[Person]:
    if not has_capability(user, "registry_view"):
        return Person.objects.none()
    return scoped(Person.objects.select_related("residence_region"), user, "residence_region__code")


def household_list_for_user(user) -> QuerySet[Household]:
    if not has_capability(user, "registry_view"):
        return Household.objects.none()
    heads = HouseholdMember.objects.filter(household=OuterRef("pk"), relation=HouseholdMember.Relation.HEAD)
    sizes = (
        HouseholdMember.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = Household.objects.select_related("region").annotate(
        head_name=Subquery(heads.values("person__name")[:1]),
        head_id_number=Subquery(heads.values("person__id_number")[:1]),
        size=Subquery(sizes[:1]),
    )
    return scoped(qs, user, "region__code")


def households_for_ordered_list(qs: QuerySet[Household], user) -> QuerySet[Household]:
    """For a list sorted by household number or by registration time: a district's
    or a street's jurisdiction once more as an equality on the region code's
    leading digits (6 or 9).  The same rows, but PostgreSQL can then read them in
    order from the household_*_number / household_*_created indexes instead of
    walking the whole index past other districts (numbers begin with the
    registering street's code, and a registry imported district by district was
    created in region order too).  A community's few hundred households are found
    by region and sorted; the city's are the whole index anyway."""
    prefix = jurisdiction_prefix(user)
    if prefix is None or len(prefix) not in (6, 9):
        return qs
    return qs.alias(region_prefix=Left("region_id", len(prefix))).filter(region_prefix=prefix)


# Search (issue 10): an ID number is found only by the whole 18 characters, or
# by its last four characters together with a name ("张三 1234" or "1234 张三").
# Prefix search on ID numbers is only for roles that see full numbers anyway:
# for everyone else a prefix answers "yes/no" digit by digit and unmasks it.
_LAST4 = re.compile(r"^\d{3}[\dX]$")


@dataclass(frozen=True)
class SearchQuery:
    """What a search box query asks for: `kind` is empty, id_exact, id_last4,
    id_prefix, phone or name."""

    kind: str
    text: str
    name: str = ""
    last4: str = ""

    @property
    def by_id_number(self) -> bool:
        return self.kind in ID_SEARCH_KINDS

    @property
    def masked(self) -> str:
        """The query as the audit log keeps it: never more of the number than a mask shows."""
        if self.kind == "id_exact":
            return rules.mask_id_number(self.text)
        if self.kind == "id_last4":
            return f"{self.name} {self.last4}"
        if self.kind == "id_prefix":
            return self.text[:4] + "*" * max(len(self.text) - 4, 0)
        return self.text


ID_SEARCH_KINDS = frozenset({"id_exact", "id_last4", "id_prefix"})


def search_parse(query: str) -> SearchQuery:
    q = " ".join((query or "").split())
    upper = q.upper()
    if not q:
        return SearchQuery("empty", q)
    if len(upper) == 18 and _DIGITS.match(upper):
        return SearchQuery("id_exact", upper)
    parts = upper.split(" ")
    if len(parts) == 2:
        last4 = [p for p in parts if _LAST4.match(p)]
        names = [p for p in q.split(" ") if not any(c.isdigit() for c in p)]
        if len(last4) == 1 and len(names) == 1:
            return SearchQuery("id_last4", q, name=names[0], last4=last4[0])
    if _PHONE.match(q):
        return SearchQuery("phone", q)
    if _DIGITS.match(upper):
        return SearchQuery("id_prefix", upper)
    return SearchQuery("name", q)


def may_search_id_prefix(user) -> bool:
    """Only roles that see full ID numbers may look them up by their first digits."""
    return has_capability(user, "full_id_number")


def registry_search(qs: QuerySet[Person], query: str | SearchQuery, *, user, prefix: str = "") -> QuerySet[Person]:
    """Narrow a person queryset by ID number, phone or name; each branch uses an index.
    A prefix of an ID number finds nothing for a role without full numbers."""
    search = query if isinstance(query, SearchQuery) else search_parse(query)
    if search.kind == "empty":
        return qs
    if search.kind == "id_exact":
        return qs.filter(**{f"{prefix}id_number": search.text})
    if search.kind == "id_last4":
        # index person_id_last4_name: right(id_number, 4), name
        return qs.alias(id_last4=Right(f"{prefix}id_number", 4)).filter(
            **{"id_last4": search.last4, f"{prefix}name__startswith": search.name}
        )
    if search.kind == "phone":
        return qs.filter(**{f"{prefix}phone": search.text})
    if search.kind == "id_prefix":
        if not may_search_id_prefix(user):
            return qs.none()
        return qs.filter(**{f"{prefix}id_number__startswith": search.text})
    return qs.filter(**{f"{prefix}name__startswith": search.text})


def household_search(qs: QuerySet[Household], query: str | SearchQuery, *, user) -> QuerySet[Household]:
    search = query if isinstance(query, SearchQuery) else search_parse(query)
    if search.kind == "empty":
        return qs
    q = search.text
    if q.upper().startswith("H") or (q.isdigit() and len(q) < 12 and not _PHONE.match(q)):
        by_number = qs.filter(number__startswith=q.upper())
        if by_number.exists():
            return by_number
    members = registry_search(HouseholdMember.objects.all(), search, user=user, prefix="person__")
    return qs.filter(pk__in=members.values("household_id"))


def id_search_allowed(user) -> bool:
    """Count one search by ID number against the user's limit for this minute
    (fixed window in the default cache); False once over SEARCH_RATE_PER_MINUTE."""
    from django.conf import settings
    from django.core.cache import cache

    window = int(time.time() // 60)
    key = f"id-search:{getattr(user, 'pk', None) or 'anon'}:{window}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=90)
        count = 1
    return count <= settings.SEARCH_RATE_PER_MINUTE


def seconds_to_next_window() -> int:
    return 60 - int(time.time()) % 60


# How many rows a search's audit event counts at most (a prefix may match a city).
SEARCH_COUNT_CAP = 1000


def search_result_count(qs: QuerySet) -> int:
    return qs.order_by()[:SEARCH_COUNT_CAP].count()


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
        if not user.is_verified_resident:
            raise Http404
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
    return scoped(AuditEvent.objects.all(), user, "region_code")


def batchrun_with_state(qs: QuerySet[BatchRun], user) -> QuerySet[BatchRun]:
    """Runs with `interrupted` (running, but its worker's heartbeat is stale)
    and `resumable` (failed or interrupted, of a kind this user may run), for
    the pages that show "已中断" and offer "继续运行"."""
    from .batches import interrupted_q, kinds_runnable_by

    interrupted = interrupted_q()
    return qs.annotate(
        interrupted=Case(When(interrupted, then=True), default=False, output_field=BooleanField()),
        resumable=Case(
            When((Q(status=BatchRun.Status.FAILED) | interrupted) & Q(kind__in=kinds_runnable_by(user)), then=True),
            default=False,
            output_field=BooleanField(),
        ),
    )


def batchrun_list_for_user(user) -> QuerySet[BatchRun]:
    if not has_capability(user, "batch_view"):
        return BatchRun.objects.none()
    return batchrun_with_state(scoped(BatchRun.objects.select_related("created_by"), user, "region__code"), user)


def batchrun_get_for_user(user, pk) -> BatchRun:
    run = batchrun_list_for_user(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


# Residents' portal: a resident sees only their own records.


def household_for_resident(user) -> Household | None:
    """The resident's own household; none for an account not verified yet (it
    may not be the person it names), whichever page or download asks."""
    if not user.is_authenticated or not user.is_verified_resident or user.person_id is None:
        return None
    member = HouseholdMember.objects.select_related("household__region").filter(person_id=user.person_id).first()
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
    counts = (
        Household.objects.filter(region__code__startswith=user.region.prefix)
        .order_by()
        .annotate(area=Left("region_id", width))
        .values("area")
        .annotate(n=Count("id"))
    )
    by_area = {row["area"]: row["n"] for row in counts}
    names = dict(Region.objects.filter(parent_id=user.region_id).values_list("code", "name"))
    result = [
        {"code": code, "name": name, "households": by_area.get(code[:width], 0)} for code, name in sorted(names.items())
    ]
    cache.set(key, result, 600)
    return result
