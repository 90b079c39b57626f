"""The audit log in words: an event's object type as its model's name, a link
to the record's page when the viewer may open it, and its `changes` as
"field name: old → new".  The core's records are listed here; each area adds
its own through `Area.audit_links` and `Area.audit_labels` (civil_affairs/areas.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import areas, text
from .permissions import has_capability

# target type → URL name of the record's page (its id as the one argument)
CORE_LINKS = {
    "civil_affairs.person": "workbench:person_detail",
    "civil_affairs.household": "workbench:household_detail",
    "civil_affairs.document": "workbench:document_download",
    "civil_affairs.batchrun": "workbench:batch_detail",
}

# keys of `changes` that are not model fields, and codes stored as values
CORE_LABELS = {
    "step": _("步骤"),
    "admin": _("管理后台"),
    "api": _("接口"),
    "filters": _("筛选条件"),
    "query_kind": _("查询方式"),
    "masked": _("查询内容"),
    "results": _("结果条数"),
    "head": _("户主"),
    "member_added": _("新增成员"),
    "registered_as": _("注册为"),
    "verification": _("核验方式"),
    "verification_method": _("核验方式"),
    "in_person": _("当面核验"),
    "pending": _("待核验"),
    "locked": _("已锁定"),
    "purpose": _("用途"),
    "api_token": _("接口令牌"),
    "expiry": _("有效期至"),
    "revoked": _("已吊销"),
    "size": _("大小（字节）"),
    "retry": _("重新运行"),
    "was": _("原状态"),
    "filename": _("文件名"),
    "inline": _("在页面中预览"),
    "deleted": _("已删除"),
    "household": _("家庭"),
    "person": _("人员"),
    "export": _("导出"),
    "id_prefix": _("身份证号开头"),
    "id_full": _("完整身份证号"),
    "name_last4": _("姓名和身份证号后4位"),
    "name": _("名称"),
}

CACHE_KEY_TYPES = "audit:target-types"
TYPES_CACHE_SECONDS = 600


def _merged(attribute: str, core: dict) -> dict:
    merged = dict(core)
    for area in areas.registered():
        merged.update(getattr(area, attribute, None) or {})
    return merged


@lru_cache(maxsize=4)
def _tables(generation: int) -> tuple[dict, dict, dict]:
    """Links, labels and step names (those of the case timeline, where an area
    has one) of the core and every area (rebuilt when an area registers)."""
    return (_merged("audit_links", CORE_LINKS), _merged("audit_labels", CORE_LABELS), _merged("timeline_steps", {}))


def links() -> dict:
    return _tables(areas.generation())[0]


def labels() -> dict:
    return _tables(areas.generation())[1]


def _model(target_type: str):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def type_label(target_type: str) -> str:
    """`civil_affairs.person` → 人员; unknown types as they are."""
    model = _model(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def target_types() -> list[tuple[str, str]]:
    """(type, label) of the types present in the log, for the filter's choice list.
    One query, a loose index scan over audit_target (one index probe per type,
    not a scan of the log), cached for a few minutes."""
    types = cache.get(CACHE_KEY_TYPES)
    if types is None:
        with connection.cursor() as cursor:
            cursor.execute("""
                WITH RECURSIVE t(type) AS (
                    (SELECT target_type FROM civil_affairs_auditevent ORDER BY target_type LIMIT 1)
                    UNION ALL
                    SELECT (SELECT e.target_type FROM civil_affairs_auditevent e
                            WHERE e.target_type > t.type ORDER BY e.target_type LIMIT 1)
                    FROM t WHERE t.type IS NOT NULL)
                SELECT type FROM t WHERE type IS NOT NULL""")
            types = [row[0] for row in cursor.fetchall()]
        cache.set(CACHE_KEY_TYPES, types, TYPES_CACHE_SECONDS)
    return sorted(((t, type_label(t)) for t in types), key=lambda choice: choice[1])


@lru_cache(maxsize=64)
def _url_capability(url_name: str, with_id: bool) -> tuple[bool, str | None]:
    """Whether `url_name` reverses (with an id or without) and the capability its view requires."""
    try:
        url = reverse(url_name, args=[1] if with_id else [])
    except NoReverseMatch:
        return False, None
    return True, getattr(resolve(url).func, "capability", None)


def record_url(user, target_type: str, target_id: str) -> str | None:
    """The record's page, if there is one and the user's role may open it (the
    page itself still checks the jurisdiction)."""
    url_name = links().get(target_type)
    if not url_name:
        return None
    with_id = bool(target_id) and target_id.isdigit() and _url_capability(url_name, True)[0]
    reverses, capability = _url_capability(url_name, with_id)
    if not reverses or (capability and not has_capability(user, capability)):
        return None
    return reverse(url_name, args=[target_id] if with_id else [])


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def key_label(model, key: str) -> str:
    field = _field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return str(labels().get(key, key))


def value_text(model, key: str, value) -> str:
    """A stored value in words: [old, new] as "old → new", choices by their
    label, step codes and flags by the label table, nested dicts as "name: value"."""
    if isinstance(value, list) and len(value) == 2 and not any(isinstance(v, (list, dict)) for v in value):
        return f"{value_text(model, key, value[0])} → {value_text(model, key, value[1])}"
    if isinstance(value, list):
        return text.words(value_text(model, key, v) for v in value) if value else "—"
    if isinstance(value, dict):
        return text.clauses(change_line(model, k, v) for k, v in value.items())
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    field = _field(model, key)
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if value in choices:
        return str(choices[value])
    timeline = _tables(areas.generation())[2].get(model._meta.label_lower, {}) if model is not None else {}
    if key == "step" and value in timeline:  # the words the case timeline uses for the step
        return str(timeline[value])
    if isinstance(value, str) and value in labels():
        return str(labels()[value])
    if isinstance(field, models.DateField) and isinstance(value, str):  # stored as ISO text: the reader's format
        parsed = parse_datetime(value) if isinstance(field, models.DateTimeField) else parse_date(value)
        if parsed is not None:
            return formats.localize(parsed)
    return str(value)


def change_line(model, key: str, value) -> str:
    return text.labelled(key_label(model, key), value_text(model, key, value))


def change_lines(target_type: str, changes) -> list[str]:
    model = _model(target_type)
    if not isinstance(changes, dict):
        return [str(changes)]
    return [change_line(model, key, value) for key, value in changes.items()]


@dataclass
class EventWords:
    type_label: str
    url: str | None
    changes: list[str]


def event_words(user, event) -> EventWords:
    return EventWords(
        type_label=type_label(event.target_type),
        url=record_url(user, event.target_type, event.target_id),
        changes=change_lines(event.target_type, event.changes),
    )
