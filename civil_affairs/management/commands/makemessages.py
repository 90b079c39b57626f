"""makemessages that also extracts strings marked `_lazy(...)` (modules that
need both gettext and gettext_lazy import the lazy one under that name)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
