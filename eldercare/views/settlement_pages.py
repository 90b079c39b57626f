"""The pages of a monthly provider settlement, one set for both kinds (home care
per provider, meal assistance per meal point): the list where the bureau starts
a month on the batch engine, a settlement's elders (ID numbers masked unless
the role needs them), the reviewer's approval and the bank file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs.months import parse_month
from civil_affairs.permissions import has_capability, require
from civil_affairs.rules import mask_id_number
from civil_affairs.services import DomainError, record_viewed


@dataclass(frozen=True)
class SettlementPages:
    list_for_user: Callable  # (user) -> queryset of the user's settlements
    get_for_user: Callable  # (user, pk) -> settlement or 404
    elders: Callable  # (settlement) -> [{"id_number": …, …}]
    start: Callable  # (user=, month=) -> BatchRun
    approve_service: Callable  # (actor=, settlement=)
    bank_file_service: Callable  # (user=, settlement=, fmt=) -> response
    order: tuple[str, ...]  # the list's order
    list_url: str  # url names
    detail_url: str
    list_template: str
    detail_template: str
    started: str  # message, with %(m)s for the month
    shown: int | None = None  # the elders a detail page shows at most (None: all)

    @property
    def list(self):
        @require("settlement_view")
        def view(request):
            if request.method == "POST":
                if not has_capability(request.user, "settlement_run"):
                    raise PermissionDenied
                try:
                    run = self.start(user=request.user, month=parse_month(request.POST.get("month")))
                except DomainError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, _(self.started) % {"m": run.params["month"]})
                return redirect(self.list_url)
            rows = list(self.list_for_user(request.user).order_by(*self.order)[:200])
            may_run = has_capability(request.user, "settlement_run")
            return render(request, self.list_template, {"settlements": rows, "may_run": may_run})

        return view

    @property
    def detail(self):
        @require("settlement_view")
        def view(request, pk: int):
            settlement = self.get_for_user(request.user, pk)
            record_viewed(actor=request.user, target=settlement)
            full = has_capability(request.user, "full_id_number")
            elders = self.elders(settlement)
            for e in elders:
                e["id_number"] = e["id_number"] if full else mask_id_number(e["id_number"])
            may_approve = has_capability(request.user, "settlement_approve") and settlement.status == "generated"
            return render(
                request,
                self.detail_template,
                {
                    "settlement": settlement,
                    "elders": elders,
                    "more": self.shown is not None and len(elders) >= self.shown,
                    "may_approve": may_approve,
                },
            )

        return view

    @property
    def approve(self):
        @require("settlement_approve")
        @require_POST
        def view(request, pk: int):
            settlement = self.get_for_user(request.user, pk)
            try:
                self.approve_service(actor=request.user, settlement=settlement)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("结算单已审核，可以下载银行代发文件。"))
            return redirect(self.detail_url, pk=pk)

        return view

    @property
    def bank_file(self):
        @require("settlement_view")
        def view(request, pk: int, fmt: str):
            settlement = self.get_for_user(request.user, pk)
            try:
                return self.bank_file_service(user=request.user, settlement=settlement, fmt=fmt)
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect(self.detail_url, pk=pk)

        return view
