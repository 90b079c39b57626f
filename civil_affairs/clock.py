"""Today's date for every rule that counts days.  Tests and demos move the
clock with the MINZHENG_TODAY setting (e.g. to let a public notice end)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    fixed = getattr(settings, "MINZHENG_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(fixed)
    return timezone.localdate()
