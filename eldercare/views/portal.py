"""Residents' portal (/my/eldercare/): my senior-allowance payments.  A
resident sees only their own records (the selector filters by their person)."""

from __future__ import annotations

from django.shortcuts import render

from civil_affairs.permissions import resident_required

from .. import rules
from ..selectors import allowance as allowance_selectors


@resident_required
def home(request):
    payments = list(allowance_selectors.allowance_list_for_resident(request.user)[:60])
    person = request.user.person
    first = rules.first_paid_month(person.birth_date) if person is not None else None
    return render(
        request,
        "eldercare/portal/home.html",
        {"payments": payments, "person": person, "first_paid_month": first},
    )
