"""The area registry: how a policy area plugs into the core (DESIGN.md "How a
policy area plugs in").  The core never names an area; each area app calls
`register(Area(...))` once from its AppConfig.ready(), and the core reads
what it needs from `registered()`:

- URLs: the project URLconf mounts each area's workbench (/work/<key>/),
  residents' portal (/my/<key>/), API router (/api/<key>/) and public pages;
- capabilities (name → roles), merged into the one capability table;
- navigation and the residents' service list, shown only to users who may
  open them; "my applications" for residents;
- batch kinds (label, Celery task, the capability to start one, count
  labels), queued through one `batchrun_enqueue`, the advisory-lock key
  derived from the kind;
- import kinds (django-import-export resources) and the demo seeder;
- person-360 and household rows, life-event handlers and bureau indicators;
- data-exchange feed kinds (`FeedKind`: columns, a row parser, the life event
  new rows raise), imported by the core (civil_affairs/feeds.py);
- life events (civil_affairs/life_events.py): `life_events[kind]` is called
  once per event with a `LifeEvent`; `life_events_many[kind]` once per batch
  of events with a `LifeEventBatch` (set-based).  An area registering only the
  single-event handler is called once per event of a batch (a loop in the
  core); one registering only the set-based handler gets a one-row batch for
  a single event (a death a caseworker records);
- the groups the price-linkage subsidy covers (`covered_groups`, read by
  `price_linkage_groups()`): an area adds its people to the subsidy without
  the paying area knowing it (e.g. childcare's orphans);
- service experience (civil_affairs.service): guides (办事指南), the labels of
  the steps its audit events record (the case timeline), printable documents
  of a case, and the case a resident may rate (好差评).

Every hook is a dotted path or a callable, resolved late, so registering
imports nothing heavy and the core imports no area.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.module_loading import import_string


def resolve(target):
    """A dotted path → the object it names; anything else as it is."""
    return import_string(target) if isinstance(target, str) else target


@dataclass(frozen=True)
class NavItem:
    """A workbench menu entry: shown to users with `capability`."""

    label: Any
    url_name: str
    capability: str


@dataclass(frozen=True)
class PortalService:
    """A service residents can apply for online (the portal's service list)."""

    key: str
    label: Any
    url_name: str  # where applying starts
    description: Any = ""
    guide_url_name: str | None = None  # 办事指南


@dataclass(frozen=True)
class BatchKind:
    """A kind of BatchRun an area runs on the shared engine."""

    kind: str  # BatchRun.kind, prefixed with the area key: "<key>_payroll"
    label: Any
    task: str  # dotted path of the Celery task taking the run id
    capability: str | None = None  # who may start or resume one by hand (None: nobody)
    count_labels: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportKind:
    """A file people may import through the chunked registry import."""

    key: str
    resource: str | type  # django-import-export resource class (or its dotted path)
    label: Any
    capability: str

    @property
    def resource_class(self) -> type:
        return resolve(self.resource)


class FeedRowError(ValueError):
    """A feed row that cannot be imported: the message is the Chinese reason
    (naming the column and the value), shown with the row's number."""


@dataclass(frozen=True)
class FeedRow:
    """One parsed row of a data-exchange feed: what the core stores as a
    FeedRecord.  (kind, id_number, key) makes a row the same row again, so a
    file imported twice adds nothing; `event_date` is the date the row proves
    (a death date, a registration date, the first of a month)."""

    id_number: str  # the 18-character number, checked (parse_id_number)
    name: str
    key: str  # at most 80 characters
    event_date: dt.date
    amount: Decimal | None = None  # yuan, to the fen
    detail: dict[str, Any] = field(default_factory=dict)  # JSON-able
    # False when this row does not prove its kind's life event (a hukou move within the city is no moved_out)
    raises: bool = True


@dataclass(frozen=True)
class FeedKind:
    """A kind of data-exchange feed an area (or the core) registers.

    `columns` are the layout's column names in the documented order (the
    file's first row); `optional` those a file may leave out.  `parse(row)`
    takes the row as {column: cell} (text, or a date for Excel date cells)
    and returns a FeedRow or raises FeedRowError with the reason in Chinese;
    civil_affairs.feeds.Cells gives typed getters that collect every problem
    of a row.  `life_event` names the life event each NEW row of this kind
    raises ("death", "moved_out", "custody"…) through
    civil_affairs.life_events.life_events_record_many, in the chunk's
    transaction; `sample` is the path (relative to the project) of its
    documented sample file (default docs/feeds/<key>.csv).

    A kind that is not about persons (a price index) names a `store`:
    `store(run_id=, rows=[(row number, what parse returned)])` writes the
    chunk's good rows to the area's own table in the chunk's transaction and
    returns (rows added, [{"row": n, "reason": "…"} for rows it refused]);
    its `parse` may then return anything `store` takes."""

    key: str  # FeedRecord.kind: 1-12 lowercase letters or "_"
    label: Any
    columns: tuple[str, ...]
    parse: str | Callable[[dict[str, Any]], FeedRow]
    life_event: str | None = None
    sample: str | None = None
    optional: frozenset[str] = frozenset({"name"})  # columns a file may leave out
    store: str | Callable | None = None

    @property
    def parser(self) -> Callable[[dict[str, Any]], FeedRow]:
        return resolve(self.parse)


@dataclass(frozen=True)
class Row:
    """One line an area shows on the person-360 or household page."""

    area: str
    kind: Any  # e.g. "低保待遇", "救助申请"
    title: str  # what it is, in words
    status: Any = ""
    since: dt.date | None = None
    amount: Any = None  # Decimal yuan, when there is money
    url: str | None = None  # the record's own page, if the user may open it


@dataclass(frozen=True)
class Link:
    """A link an area offers on the household page (its records of the
    household, or an action such as 受理新申请 when `primary`)."""

    label: Any
    url: str
    primary: bool = False


@dataclass(frozen=True)
class Indicator:
    """A figure of the bureau overview: `values(region, day)` returns
    {district code: number} for the districts under `region`."""

    key: str
    label: Any
    unit: Any
    values: str | Callable[[Any, dt.date], dict[str, Any]]


@dataclass(frozen=True)
class Material:
    """One item of a guide's materials list; `template` names the Django template
    of its printable blank form (e.g. the 核对授权书), served under the guide."""

    label: Any
    note: Any = ""
    template: str | None = None


@dataclass(frozen=True)
class Guide:
    """办事指南 of one service (civil_affairs.service shows it at /guide/<area>/<key>/)."""

    key: str
    title: Any
    eligibility: tuple = ()  # who may apply, one line each (with the amounts in force)
    policy_basis: tuple = ()  # laws and regulations
    materials: tuple[Material, ...] = ()
    time_limit: Any = ""
    fees: Any = ""
    where_to_ask: Any = ""
    apply_url_name: str | None = None  # where applying starts


@dataclass(frozen=True)
class PrintDocument:
    """A printable document of a case (受理回执, 决定书…): `context(user, pk)`
    returns the template's context after checking the user may see the case
    (Http404 otherwise); `for_resident` documents are also printed by residents
    from their own case (the callable is then given a resident)."""

    key: str
    label: Any
    template: str
    context: str | Callable
    for_resident: bool = False
    available: str | Callable | None = None  # callable(target) → bool: whether the case has it yet


@dataclass(frozen=True)
class ParameterKey:
    """A dated parameter an area keeps in the core's Parameter table (one value
    per key, region and effective date).  `kind` says how a value is checked:
    "amount" (yuan, to the fen), "rate" (a fraction, 0.20), "int" (a whole
    number: months, days) or "percent" (3.5 means 3.5 %); `min`/`max` bound it."""

    key: str
    label: Any
    unit: Any = ""
    kind: str = "amount"
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True)
class CoveredGroup:
    """A group of people the monthly price-linkage subsidy (物价补贴联动) covers.
    Every registered group's people are gathered each month and each person is
    paid once, under the group with the lowest `priority` they belong to.

    `sql` is the dotted path of a SELECT (a string, or a callable returning
    one) of `person_id, region_id, bank_account` for the month `%(month)s`
    (its first day): who is in the group that month, the community (区划 code)
    whose rate and roll they are paid in, and their account ('' if none).
    The batch adds the key; dead people are left out by the batch."""

    key: str  # stored on each subsidy line: letters and "_", at most 12
    label: Any
    priority: int
    sql: str | Callable[[], str]

    def select(self) -> str:
        found = resolve(self.sql)
        return found() if callable(found) else found


@dataclass(frozen=True)
class Area:
    key: str  # URL prefix and namespace root: /work/<key>/, /my/<key>/, /api/<key>/
    label: Any
    order: int = 100
    workbench_urls: str | None = None  # module with `urlpatterns` and `app_name`
    portal_urls: str | None = None  # module (or "module:attribute") with the residents' patterns
    public_urls: str | None = None
    api_router: str | None = None  # dotted path of a DRF router
    capabilities: dict[str, frozenset] = field(default_factory=dict)
    nav: tuple[NavItem, ...] = ()
    services: tuple[PortalService, ...] = ()
    my_applications_url_name: str | None = None  # the resident's list of their cases in this area
    batch_kinds: tuple[BatchKind, ...] = ()
    import_kinds: tuple[ImportKind, ...] = ()
    demo_seeder: str | None = None  # callable(seed=…, progress=…)
    person_rows: str | Callable | None = None  # callable(user, person) → list[Row]
    household_rows: str | Callable | None = None  # callable(user, household) → list[Row]
    household_links: str | Callable | None = None  # callable(user, household) → list[Link]
    life_events: dict[str, str | Callable] = field(default_factory=dict)  # event kind → handler(LifeEvent)
    # event kind → set-based handler(LifeEventBatch), called once per batch (civil_affairs/life_events.py)
    life_events_many: dict[str, str | Callable] = field(default_factory=dict)
    feed_kinds: tuple[FeedKind, ...] = ()  # data-exchange feeds it defines (civil_affairs/feeds.py imports them)
    indicators: tuple[Indicator, ...] = ()
    covered_groups: tuple[CoveredGroup, ...] = ()  # of the price-linkage subsidy (price_linkage_groups())
    parameters: tuple[ParameterKey, ...] = ()  # dated parameters (civil_affairs.parameters)
    # The audit log in words: target type ("app_label.model") → URL name of the
    # record's page (taking its id, or none for a list page); and codes in
    # `changes` (step codes such as "accept", keys that are not model fields) → words.
    audit_links: dict[str, str] = field(default_factory=dict)
    audit_labels: dict[str, Any] = field(default_factory=dict)
    # service experience (civil_affairs.service):
    guides: str | Callable | None = None  # callable(day) → list[Guide], numbers from the standards in force
    timeline_steps: dict[str, dict[str, Any]] = field(default_factory=dict)  # target_type → {changes["step"]: label}
    print_documents: tuple[PrintDocument, ...] = ()
    rating_target: str | Callable | None = None  # callable(user, pk) → RatingTarget (resident's own case) or Http404


_AREAS: dict[str, Area] = {}
_generation = 0  # bumped on every change, so tables merged from the registry know when to rebuild


def generation() -> int:
    return _generation


class AreaConflict(ValueError):
    """Two areas claim the same key, capability, batch kind, import kind or feed kind."""


def register(area: Area) -> Area:
    """Called once per area from its AppConfig.ready()."""
    global _generation
    if area.key in _AREAS and _AREAS[area.key] is not area:
        raise AreaConflict(f"area key {area.key!r} is registered twice")
    _AREAS[area.key] = area
    _generation += 1
    return area


def unregister(key: str) -> None:
    """For tests that register a throw-away area."""
    global _generation
    _AREAS.pop(key, None)
    _generation += 1


def registered() -> list[Area]:
    """The registered areas, in menu order."""
    return sorted(_AREAS.values(), key=lambda a: (a.order, a.key))


def get(key: str) -> Area | None:
    return _AREAS.get(key)


def price_linkage_groups() -> list[CoveredGroup]:
    """Every area's covered groups of the price-linkage subsidy, in priority
    order.  A key claimed twice, or one that is no plain name, is refused."""
    groups = sorted((g for area in registered() for g in area.covered_groups), key=lambda g: (g.priority, g.key))
    keys = [g.key for g in groups]
    for key in keys:
        if keys.count(key) > 1:
            raise AreaConflict(f"covered group {key!r} is registered twice")
        if not re.fullmatch(r"[a-z_]{1,12}", key):  # it is written into the batch's SQL
            raise AreaConflict(f"covered group key {key!r} must be 1-12 lowercase letters or '_'")
    return groups
