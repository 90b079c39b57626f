"""Pages of the shared core: residents' portal, staff workbench, health check.
Thin: check the role, read through selectors, write through services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import areas, audit_words, clock, listing, rules, selectors, services, text
from .batches import capability_for_kind
from .exports import csv_response, xlsx_response
from .filters import AuditFilter, HouseholdFilter, IdSearchThrottled, PersonFilter
from .forms import (
    DeathRecordForm,
    DocumentUploadForm,
    LoginForm,
    OverviewForm,
    RegisterCodeForm,
    RegistryImportForm,
    ResidentRegisterForm,
)
from .life_events import LifeEvent, life_event_record
from .models import AuditEvent
from .overview import overview_chart_data, overview_table
from .permissions import has_capability, require, resident_required

# ---------------------------------------------------------------- accounts


class MinzhengLoginView(LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def home(request):
    """Where a user lands after login: residents to their portal, staff to the workbench."""
    if not request.user.is_authenticated:
        return redirect("portal:index")
    if request.user.is_resident:
        return redirect("portal:household")
    return redirect("workbench:index")


# The registration waiting for its SMS code, kept in the session between the two
# steps: what was typed, with the password already hashed (never kept in clear).
PENDING_REGISTRATION = "pending_registration"


@require_http_methods(["GET", "POST"])
def register(request):
    """Step one: phone, name, ID number, password.  Either a code is sent (step
    two, register_code) or the account is made unverified (the pending page)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = ResidentRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.resident_register_begin(
                phone=data["phone"], id_number=data["id_number"], name=data["name"], password=data["password1"]
            )
        except services.DomainError as exc:
            form.add_error(None, str(exc))
        else:
            if user is None:
                request.session[PENDING_REGISTRATION] = {
                    "phone": data["phone"],
                    "id_number": data["id_number"],
                    "name": data["name"],
                    "password_hash": make_password(data["password1"]),
                }
                return redirect("portal:register_code")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("portal:pending")
    return render(request, "portal/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def register_code(request):
    """Step two: the code sent to the phone; "resend" asks for a new one."""
    if request.user.is_authenticated:
        return redirect("home")
    pending = request.session.get(PENDING_REGISTRATION)
    if not pending:
        return redirect("portal:register")
    if "resend" in request.POST:
        try:
            services.resident_register_code_resend(
                phone=pending["phone"], id_number=pending["id_number"], name=pending["name"]
            )
        except services.DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("验证码已重新发送。"))
        return redirect("portal:register_code")
    form = RegisterCodeForm(request.POST or None)
    if form.is_valid():
        try:
            user = services.resident_register_finish(**pending, code=form.cleaned_data["code"])
        except services.DomainError as exc:
            form.add_error("code", str(exc))
        else:
            del request.session[PENDING_REGISTRATION]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用。"))
            return redirect("portal:household")
    return render(
        request,
        "portal/register_code.html",
        {
            "form": form,
            "masked_phone": rules.mask_phone(pending["phone"]),
            "ttl_minutes": max(1, settings.OTP_TTL_SECONDS // 60),
        },
    )


# ---------------------------------------------------------------- residents' portal


def portal_index(request):
    return render(request, "portal/index.html")


@resident_required(allow_unverified=True)
def my_pending(request):
    """Where an unverified account lands: what to bring to the street office.
    Shows only what the resident typed, nothing from the registry."""
    if request.user.is_verified_resident:
        return redirect("portal:household")
    return render(request, "portal/pending.html", {"masked_phone": rules.mask_phone(request.user.phone)})


@resident_required
def my_household(request):
    household = selectors.household_for_resident(request.user)
    members = selectors.household_members(household) if household else []
    return render(
        request,
        "portal/household.html",
        {
            "household": household,
            "members": members,
            "person": request.user.person,
        },
    )


@resident_required
def my_applications(request):
    """Applications live in the policy areas: with one area, its own list; with
    several, a page linking to each area's list."""
    from .areas import registered

    lists = [
        (area.label, reverse(area.my_applications_url_name)) for area in registered() if area.my_applications_url_name
    ]
    if len(lists) == 1:
        return redirect(lists[0][1])
    return render(request, "portal/my_applications.html", {"lists": lists})


# ---------------------------------------------------------------- workbench


@require("workbench")
def workbench_index(request):
    runs = selectors.batchrun_list_for_user(request.user)[:5]
    areas = selectors.household_counts_by_area(request.user)
    return render(request, "workbench/index.html", {"runs": runs, "areas": areas})


PERSON_SORTS = ("name", "birth_date", "id_number", "residence_region")
# Sorting by ID number or birth date orders people by digits the mask hides (and the
# next-page cursor carries the last row's value): only for roles that see full numbers.
MASKED_PERSON_SORTS = ("name", "residence_region")


def _search_rows(filterset):
    """The filtered rows; none, with the reason in `search_notice`, when the user's
    searches by ID number are over the per-minute limit."""
    try:
        return filterset.qs if filterset.is_valid() else filterset.queryset.none()
    except IdSearchThrottled as exc:
        filterset.search_notice = str(exc.detail)
        return None


@require("registry_view")
def person_list(request):
    filterset = PersonFilter(request.GET, queryset=selectors.person_list_for_user(request.user), request=request)
    # Roles without full ID numbers see an age, not the birth date (digits 7–14 of the number).
    show_birth_date = has_capability(request.user, "full_id_number")
    today = clock.today()
    qs = _search_rows(filterset)
    if qs is None:
        qs = filterset.queryset.none()
    elif listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="civil_affairs.person",
            filename="people",
            sheet=_("人员"),
            qs=qs,
            order=("residence_region_id", "pk"),
            row=lambda p: (
                p.masked_id_number,
                p.name,
                p.get_sex_display(),
                p.birth_date if show_birth_date else rules.age_on(p.birth_date, today),
                p.residence_region.name,
                rules.mask_phone(p.phone),
                p.get_disability_grade_display(),
                p.get_labour_capacity_display(),
            ),
            headers=[
                _("身份证号"),
                _("姓名"),
                _("性别"),
                _("出生日期") if show_birth_date else _("年龄"),
                _("居住地"),
                _("电话"),
                _("残疾等级"),
                _("劳动能力"),
            ],
        )
    sorts = PERSON_SORTS if show_birth_date else MASKED_PERSON_SORTS
    context = listing.list_page(request, qs, sorts=sorts, default="name", pinyin=("name",))
    for p in context["page"].items:
        p.age = rules.age_on(p.birth_date, today)
    context.update(filter=filterset, sorts=sorts, show_birth_date=show_birth_date)
    template = "workbench/_person_rows.html" if request.htmx else "workbench/person_list.html"
    return render(request, template, context)


def _area_sections(request, hook: str, record) -> list[dict]:
    """Person 360 / household page: each registered area's rows (or links) for
    the record, through its own role-scoped selector, grouped under its name."""
    sections = []
    for area in areas.registered():
        rows = getattr(area, hook)
        rows = areas.resolve(rows)(request.user, record) if rows else []
        if rows:
            sections.append({"key": area.key, "label": area.label, "rows": rows})
    return sections


@require("registry_view")
def person_detail(request, pk: int):
    person = selectors.person_get_for_user(request.user, pk)
    show_full = has_capability(request.user, "full_id_number")
    # A full-record view for every role: the page shows the person's cases and money from every area.
    services.person_viewed(actor=request.user, person=person)
    membership = selectors.person_membership(person)
    account = getattr(person, "account", None)  # the resident account bound to this person, if any
    # Without full numbers: the city only (the county would give away ID digits 5–6).
    hukou = (
        person.hukou_region if show_full else selectors.region_of_code(rules.city_level_code(person.hukou_region_id))
    )
    return render(
        request,
        "workbench/person_detail.html",
        {
            "person": person,
            "show_full_id": show_full,
            "membership": membership,
            "hukou_region": hukou,
            "unverified_account": account
            if account is not None and account.is_resident and not account.verified_at
            else None,
            "can_verify_resident": has_capability(request.user, "resident_verify"),
            "area_sections": _area_sections(request, "person_rows", person),
            "death_form": DeathRecordForm(person=person)
            if has_capability(request.user, "registry_edit") and person.death_date is None
            else None,
        },
    )


@require("registry_edit")
@require_POST
def person_death_record(request, pk: int):
    """A caseworker records a death: the core's fact and every area's handler, once (life_events)."""
    person = selectors.person_get_for_user(request.user, pk)
    form = DeathRecordForm(request.POST, person=person)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                text.labelled(form.fields[name].label, e) if name in form.fields else e
                for name, errors in form.errors.items()
                for e in errors
            ),
        )
        return redirect("workbench:person_detail", pk=person.pk)
    event = LifeEvent(
        kind="death",
        person=person,
        date=form.cleaned_data["death_date"],
        source="caseworker",
        evidence={"note": form.cleaned_data["note"]},
    )
    try:
        handled = life_event_record(actor=request.user, event=event)
    except services.DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已登记死亡。") if handled is not None else _("该死亡日期此前已登记，未重复处理。"))
    return redirect("workbench:person_detail", pk=person.pk)


@require("resident_verify")
@require_POST
def resident_verify(request, pk: int):
    """The caseworker has seen this person's ID card: their resident account may see its data."""
    person = selectors.person_get_for_user(request.user, pk)
    account = getattr(person, "account", None)
    try:
        if account is None:
            raise services.DomainError(_("该人员没有居民账号。"))
        services.resident_verify(actor=request.user, user=account)
    except services.DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("居民账号已核验，本人现在可以查看家庭和申请信息。"))
    return redirect("workbench:person_detail", pk=person.pk)


HOUSEHOLD_SORTS = ("number", "region", "created_at")


@require("registry_view")
def household_list(request):
    filterset = HouseholdFilter(request.GET, queryset=selectors.household_list_for_user(request.user), request=request)
    qs = _search_rows(filterset)
    if qs is None:
        qs = filterset.queryset.none()
    elif listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="civil_affairs.household",
            filename="households",
            sheet=_("家庭"),
            qs=qs,
            row=lambda h: (
                h.number,
                h.region.name,
                h.region_id,
                h.head_name or "",
                rules.mask_id_number(h.head_id_number or ""),
                h.size or 0,
                h.address,
            ),
            headers=[_("户编号"), _("所在社区/村"), _("区划代码"), _("户主"), _("户主身份证号"), _("人数"), _("住址")],
        )
    if request.GET.get("sort", "number").lstrip("-") in ("number", "created_at"):
        qs = selectors.households_for_ordered_list(qs, request.user)
    context = listing.list_page(request, qs, sorts=HOUSEHOLD_SORTS, default="number")
    context["filter"] = filterset
    template = "workbench/_household_rows.html" if request.htmx else "workbench/household_list.html"
    return render(request, template, context)


REGION_SUGGESTIONS = 20


@require("registry_view")
@require_GET
def region_suggest(request):
    """The region filter's picker: regions of the user's jurisdiction whose name
    contains what was typed (?region=), as <option>s of the input's datalist."""
    typed = request.GET.get("region", "").strip()
    regions = (
        (
            selectors.region_list_for_user(request.user)
            .filter(name__contains=typed)
            .select_related("parent")
            .order_by("level", "code")[:REGION_SUGGESTIONS]
        )
        if typed and not typed.isdigit()
        else []
    )
    return render(request, "workbench/_region_options.html", {"regions": regions})


@require("registry_view")
@require_http_methods(["GET", "POST"])
def household_detail(request, pk: int):
    household = selectors.household_get_for_user(request.user, pk)
    show_full = has_capability(request.user, "full_id_number")
    upload_form = DocumentUploadForm()
    if request.method == "POST":
        if not has_capability(request.user, "registry_edit"):
            raise PermissionDenied
        upload_form = DocumentUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                services.document_upload(
                    actor=request.user,
                    household=household,
                    kind=upload_form.cleaned_data["kind"],
                    uploaded=upload_form.cleaned_data["file"],
                )
            except services.DomainError as exc:
                upload_form.add_error("file", str(exc))
            else:
                messages.success(request, _("材料已上传。"))
                return redirect("workbench:household_detail", pk=household.pk)
    # A full-record view for every role: the page shows the household's cases and money from every area.
    services.audit_record(actor=request.user, action=AuditEvent.Action.VIEW, target=household)
    finances = selectors.household_finances(household)
    return render(
        request,
        "workbench/household_detail.html",
        {
            "household": household,
            "members": list(household.members.all()),
            "show_full_id": show_full,
            "upload_form": upload_form,
            **finances,
            "area_sections": _area_sections(request, "household_rows", household),
            "area_links": _area_sections(request, "household_links", household),
        },
    )


@require_GET
def document_download(request, pk: int):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    doc = selectors.document_get_for_user(request.user, pk)
    # ?inline=1 lets a caseworker preview an image or PDF in the page; any other type still downloads.
    inline = request.GET.get("inline") == "1" and doc.content_type in INLINE_CONTENT_TYPES
    services.audit_record(
        actor=request.user, action=AuditEvent.Action.DOWNLOAD, target=doc, changes={"inline": True} if inline else None
    )
    response = FileResponse(
        doc.file.open("rb"), content_type=doc.content_type, as_attachment=not inline, filename=doc.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


INLINE_CONTENT_TYPES = ("image/jpeg", "image/png", "application/pdf")


@require("registry_import")
@require_http_methods(["GET", "POST"])
def registry_import(request):
    form = RegistryImportForm(
        request.POST or None, request.FILES or None, user=request.user, initial={"kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.registry_import_start(
                user=request.user, kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"]
            )
        except services.DomainError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("workbench:batch_detail", pk=run.pk)
    return render(request, "workbench/import.html", {"form": form})


@require("batch_view")
def batch_list(request):
    runs = selectors.batchrun_list_for_user(request.user)[:100]
    return render(request, "workbench/batch_list.html", {"runs": runs})


@require("batch_view")
def batch_detail(request, pk: int):
    run = selectors.batchrun_get_for_user(request.user, pk)
    template = "components/batch_progress.html" if request.htmx else "workbench/batch_detail.html"
    return render(request, template, {"run": run})


@require("batch_view")
@require_POST
def batch_retry(request, pk: int):
    run = selectors.batchrun_get_for_user(request.user, pk)
    capability = capability_for_kind(run.kind)  # the kind's own run capability (payroll_run, recheck_run, …)
    if capability is None or not has_capability(request.user, capability):
        raise PermissionDenied
    try:
        services.batchrun_retry(user=request.user, run_id=run.pk)
    except services.DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("任务已重新排队，将从中断处继续。"))
    return redirect("workbench:batch_detail", pk=run.pk)


@require("batch_view")
def batch_errors(request, pk: int):
    """Every bad row of a run as CSV, streamed (opens in Excel: UTF-8 with BOM)."""
    run = selectors.batchrun_get_for_user(request.user, pk)
    # The reasons quote the uploaded rows (names, ID numbers): an audited export.
    services.export_recorded(
        actor=request.user, target_type=run._meta.label_lower, target=run, filters={"run": run.pk, "kind": run.kind}
    )
    rows = run.row_errors.order_by("row", "id").values_list("row", "reason").iterator(chunk_size=5000)
    return csv_response(filename=f"batch-{run.pk}-errors", headers=[_("行号"), _("原因")], rows=rows)


AUDIT_SORTS = ("at",)


@require("audit_view")
def audit_list(request):
    filterset = AuditFilter(request.GET, queryset=selectors.audit_list_for_user(request.user))
    qs = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="civil_affairs.auditevent",
            filename="audit",
            sheet=_("审计日志"),
            rows=(
                (
                    timezone_str(e.at),
                    e.actor_label,
                    e.get_action_display(),
                    audit_words.type_label(e.target_type),
                    e.target_id,
                    e.region_code,
                    "\n".join(audit_words.change_lines(e.target_type, e.changes)),
                    e.ip_address or "",
                )
                for e in qs.iterator(chunk_size=2000)
            ),
            headers=[_("时间"), _("操作人"), _("操作"), _("对象类型"), _("对象标识"), _("区划"), _("变更"), _("IP")],
        )
    context = listing.list_page(request, qs, sorts=AUDIT_SORTS, default="-at")
    for event in context["page"].items:
        event.words = audit_words.event_words(request.user, event)
    context["filter"] = filterset
    return render(request, "workbench/audit_list.html", context)


def _overview_day(request):
    form = OverviewForm(request.GET or None)
    day = form.cleaned_data["day"] if form.is_valid() else clock.today()
    return form, day


@require("overview_view")
def overview(request):
    """民政一张图: every area's indicators by district of the user's subtree, for a day."""
    form, day = _overview_day(request)
    districts, columns = overview_table(request.user, day)
    return render(
        request,
        "workbench/overview.html",
        {
            "form": form,
            "day": day,
            "districts": districts,
            "columns": columns,
            "rows": [(d, [c.values[i] for c in columns]) for i, d in enumerate(districts)],
            "charts": overview_chart_data(districts, columns),
        },
    )


@require("overview_view")
def overview_export(request):
    form, day = _overview_day(request)
    districts, columns = overview_table(request.user, day)
    services.export_recorded(actor=request.user, target_type="civil_affairs.overview", filters={"day": day.isoformat()})
    rows = [(d.name, d.code, *(c.values[i] for c in columns)) for i, d in enumerate(districts)]
    rows.append((_("合计"), "", *(c.total for c in columns)))
    return xlsx_response(
        filename=f"overview-{day.isoformat()}",
        sheet=_("民政一张图"),
        rows=rows,
        headers=[_("区县"), _("区划代码"), *(f"{c.label}（{c.unit}）" for c in columns)],
    )


def timezone_str(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------- health


@require_GET
def healthz(request):
    """Database and broker reachable; 503 with the failing part otherwise."""
    from .celery import app

    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception as exc:  # report, don't crash the probe
        status["database"] = f"error: {exc.__class__.__name__}"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        status["broker"] = "ok"
    except Exception as exc:
        status["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in status.values())
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)


def csrf_failure(request, reason=""):
    return render(request, "403.html", {"reason": _("页面已过期，请刷新后重试。")}, status=403)
