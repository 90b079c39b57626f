"""The permission matrix's shared vocabulary, and where its rows come from.

The route walker (tests/civil_affairs/test_permission_matrix.py) holds the
core's rows; each policy area supplies its own in `tests/<its tests>/matrix.py`:

    ROWS = {url name: (path builder(objects), method, status per user)}
    def objects(core_objects, users) -> dict   # optional: the records its rows need

so an area's routes are walked without the core's test naming the area."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.util import find_spec
from types import ModuleType

from civil_affairs.models import Role

ANON = "anonymous"
STAFF = [
    Role.CASEWORKER,
    Role.REVIEWER,
    Role.COMMUNITY_WORKER,
    Role.INSTITUTION_STAFF,
    Role.CHARITY_STAFF,
    Role.BUREAU_ADMIN,
    Role.AUDITOR,
    "other_caseworker",
]
EVERYONE = [ANON, Role.RESIDENT, *STAFF]
REGISTRY = {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR, "other_caseworker"}
# Who may see the household/person/document of 金沙社区 (通州区 金沙街道).
IN_JURISDICTION = {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR}
# The caseworker of 文峰街道 (崇川区): out of scope for everything of 金沙社区.
OTHER = {"other_caseworker"}


def expect(ok: set, *, ok_status=200, denied=403, anon=302, out_of_scope=None):
    """Status per user: ok_status for `ok`, 404 for registry users out of scope, else denied."""

    def status(who):
        if who in ok:
            return ok_status
        if who == ANON:
            return anon
        if out_of_scope and who in out_of_scope:
            return 404
        return denied

    return status


def area_matrices() -> list[ModuleType]:
    """Every `tests.<package>.matrix` module, in package order."""
    import tests

    found = []
    for info in pkgutil.iter_modules(tests.__path__):
        name = f"tests.{info.name}.matrix"
        if info.ispkg and find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found


def area_rows() -> dict:
    rows = {}
    for module in area_matrices():
        rows.update(module.ROWS)
    return rows


def area_objects(core_objects: dict, users) -> dict:
    made = {}
    for module in area_matrices():
        if hasattr(module, "objects"):
            made.update(module.objects(core_objects, users))
    return made


def area_not_record_views() -> set[str]:
    """Routes with a record in their path that an area says are not full-record
    views (`NOT_RECORD_VIEWS` in its matrix module, each with its reason in a
    comment): forms of an action whose record's own page is audited, files with
    no person in them.  tests/civil_affairs/test_audit_coverage.py skips them."""
    names = set()
    for module in area_matrices():
        names |= set(getattr(module, "NOT_RECORD_VIEWS", ()))
    return names
