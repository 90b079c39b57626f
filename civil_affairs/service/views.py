"""Pages of the service experience.  Thin: check who may, read through
selectors, write through services; what a case is comes from its area."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civil_affairs import areas, clock
from civil_affairs.errors import DomainError
from civil_affairs.permissions import require, resident_required
from civil_affairs.rules import mask_phone
from civil_affairs.services import record_viewed

from . import conf, selectors, services
from .forms import PhoneForm, RatingForm, ResetForm

# ---------------------------------------------------------------- guides (public)


def guides(request, area: str):
    return render(
        request, "service/guides.html", {"area_key": area, "guides": selectors.guides_of(area, clock.today())}
    )


def guide(request, area: str, key: str):
    return render(
        request, "service/guide.html", {"area_key": area, "guide": selectors.guide_get(area, key, clock.today())}
    )


def material(request, area: str, key: str, index: int):
    """A material's printable template (e.g. 核对授权书), to print and sign."""
    guide_ = selectors.guide_get(area, key, clock.today())
    if index >= len(guide_.materials) or not guide_.materials[index].template:
        raise Http404
    material_ = guide_.materials[index]
    return render(request, material_.template, {"guide": guide_, "material": material_, "today": clock.today()})


# ---------------------------------------------------------------- messages


@login_required
@require_http_methods(["GET", "POST"])
def message_list(request):
    """The user's messages, newest first; the page shown is marked read."""
    if request.method == "POST":
        services.messages_mark_read(user=request.user)
        return redirect("service:messages")
    page = Paginator(selectors.messages_for_user(request.user), 20).get_page(request.GET.get("page"))
    items = list(page.object_list)
    unread = {m.pk for m in items if m.read_at is None}
    services.messages_mark_read(user=request.user, message_ids=unread)
    template = "service/messages_portal.html" if request.user.is_resident else "service/messages_work.html"
    return render(request, template, {"page": page, "items": items, "unread": unread})


# ---------------------------------------------------------------- printable documents


def _print(request, area: str, pk: int, doc: str, *, for_resident: bool):
    document = selectors.print_document(area, doc)
    if for_resident and not document.for_resident:
        raise Http404
    context = areas.resolve(document.context)(request.user, pk)
    target = context.get("target")
    if target is not None:
        record_viewed(actor=request.user, target=target, changes={"printed": doc})
    return render(
        request,
        document.template,
        {
            **context,
            "document": document,
            "today": clock.today(),
            "supervision_phone": conf.supervision_phone(),
            "notice_place": conf.notice_place(),
        },
    )


@require("workbench")
def staff_print(request, area: str, pk: int, doc: str):
    return _print(request, area, pk, doc, for_resident=False)


@resident_required
def resident_print(request, area: str, pk: int, doc: str):
    return _print(request, area, pk, doc, for_resident=True)


# ---------------------------------------------------------------- ratings


@resident_required
@require_POST
def rate(request, area: str, pk: int):
    target = selectors.rating_target(area, request.user, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("请选择1至5星。"))
    else:
        try:
            services.rating_submit(
                actor=request.user,
                area=area,
                target=target,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("感谢您的评价。"))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "portal:applications"
    return redirect(back)


@require("overview_view")
def rating_overview(request):
    rows = selectors.ratings_by_street(request.user)
    chart = {
        "labels": [r["name"] for r in rows],
        "datasets": [{"label": _("平均评分"), "data": [r["average"] for r in rows]}],
    }
    return render(request, "service/ratings.html", {"rows": rows, "chart": chart})


# ---------------------------------------------------------------- forgotten password (residents)

RESET_PHONE = "password_reset_phone"  # the phone of the reset under way, kept in the session


@require_http_methods(["GET", "POST"])
def password_forgot(request):
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone = services.password_reset_begin(phone=form.cleaned_data["phone"])
        except DomainError as exc:
            form.add_error("phone", str(exc))
        else:
            request.session[RESET_PHONE] = phone
            flash.info(request, services.RESET_CODE_SENT)
            return redirect("service:password_reset")
    return render(request, "service/password_forgot.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset(request):
    phone = request.session.get(RESET_PHONE)
    if not phone:
        return redirect("service:password_forgot")
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_finish(
                phone=phone, code=form.cleaned_data["code"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            del request.session[RESET_PHONE]
            flash.success(request, _("密码已重置，请用新密码登录。"))
            return redirect("login")
    return render(request, "service/password_reset.html", {"form": form, "masked_phone": mask_phone(phone)})
