"""System checks of the area registry (manage.py check, and every start):

- every capability a view demands is known: `require("…")` on a page, the
  `capability` of a DRF view or of its HasCapability permissions;
- no two areas (or an area and the core) claim the same key, capability,
  batch kind, import kind or parameter key."""

from __future__ import annotations

from collections import Counter

from django.core.checks import Error, register
from django.urls import URLPattern, URLResolver, get_resolver

from . import areas


def _views(patterns, prefix=""):
    """(route, view callable) for every URL pattern, nested includes walked."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _views(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _demanded(view) -> set[str]:
    """The capabilities a view demands: `require` sets view.capability; a DRF view's
    class may name one, and so may its permission classes (HasCapability)."""
    names = {getattr(view, "capability", None)}
    cls = getattr(view, "cls", None)
    if cls is not None:
        names.add(getattr(cls, "capability", None))
        names.update(getattr(permission, "capability", None) for permission in getattr(cls, "permission_classes", ()))
    return {name for name in names if isinstance(name, str)}


def unknown_capabilities(patterns=None, known=None) -> list[Error]:
    from .permissions import capability_table

    known = set(capability_table() if known is None else known)
    errors = []
    for route, view in _views(get_resolver().url_patterns if patterns is None else patterns):
        for name in sorted(_demanded(view) - known):
            errors.append(
                Error(
                    f"{route}: the view demands the capability {name!r}, which no one declares",
                    hint="Declare it in the core's CAPABILITIES or in the area's Area(capabilities=…).",
                    obj=view,
                    id="civil_affairs.E101",
                )
            )
    return errors


def area_conflicts(registered=None) -> list[Error]:
    """Names claimed twice among the areas (capabilities: also against the core's;
    import kinds: also against the core's registry imports)."""
    from .batches import CORE_BATCH_KINDS
    from .feeds import CORE_FEED_KINDS
    from .permissions import CAPABILITIES
    from .resources import CORE_IMPORT_KINDS

    registered = areas.registered() if registered is None else registered
    claims = {
        "area key": Counter(area.key for area in registered),
        "capability": Counter([*CAPABILITIES, *(c for area in registered for c in area.capabilities)]),
        "batch kind": Counter(
            [*(k.kind for k in CORE_BATCH_KINDS), *(k.kind for area in registered for k in area.batch_kinds)]
        ),
        "import kind": Counter(
            [*(k.key for k in CORE_IMPORT_KINDS), *(k.key for area in registered for k in area.import_kinds)]
        ),
        "parameter key": Counter(k.key for area in registered for k in area.parameters),
        "feed kind": Counter(
            [*(k.key for k in CORE_FEED_KINDS), *(k.key for area in registered for k in area.feed_kinds)]
        ),
    }
    return [
        Error(
            f"{what} {name!r} is claimed {n} times",
            hint="Each area must use names of its own (prefix them with the area's key).",
            id="civil_affairs.E102",
        )
        for what, counts in claims.items()
        for name, n in sorted(counts.items())
        if n > 1
    ]


@register()
def check_areas(app_configs=None, **kwargs) -> list[Error]:
    return area_conflicts() + unknown_capabilities()
