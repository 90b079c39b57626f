"""Every write to the shared core.  Each service runs in a transaction and
records an audit event; views, the API, admin actions and Celery tasks call
these and hold no rules of their own."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules
from .middleware import current_request
from .models import (AuditEvent, BatchRun, BatchRunError, Document, Household, HouseholdMember, Person, Region,
                     Role, User)


class DomainError(Exception):
    """A rule says no; the message is for the person who asked."""


# ---------------------------------------------------------------- audit

def _region_of(target: Model) -> str:
    for attr in ("region_id", "residence_region_id"):
        value = getattr(target, attr, None)
        if value:
            return value
    for owner in ("household", "person"):  # documents and records: where their owner lives
        value = getattr(target, owner, None)
        if value is not None:
            return _region_of(value)
    return ""


def audit_record(*, actor, action: str, target: Model | None = None, target_type: str = "",
                 target_id: str = "", changes: dict[str, Any] | None = None, region_code: str = "",
                 request=None) -> AuditEvent:
    """Append one audit event.  Who/where come from the current request when
    the caller has one (middleware keeps it), so services need not pass it."""
    request = request or current_request()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        region_code = region_code or _region_of(target)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    ip = ua = None
    if request is not None:
        ip = request.META.get(settings.AUDIT_CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR")
        ua = request.META.get("HTTP_USER_AGENT", "")[:200]
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        region_code=region_code or "",
        changes=_jsonable(changes or {}),
        ip_address=ip,
        user_agent=ua or "",
    )


def export_recorded(*, actor, target_type: str, filters: dict) -> AuditEvent:
    """Every spreadsheet export leaves an audit event with the filters used."""
    return audit_record(actor=actor, action=AuditEvent.Action.EXPORT, target_type=target_type,
                        region_code=actor.region_id or "", changes={"filters": filters})


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value.pk)
    if hasattr(value, "quantize"):  # Decimal
        return str(value)
    return value


def _diff(instance: Model, fields: Iterable[str], new: dict[str, Any]) -> dict[str, list]:
    changes = {}
    for f in fields:
        old = getattr(instance, f)
        if old != new[f]:
            changes[f] = [old, new[f]]
    return changes


def person_viewed(*, actor, person: Person) -> None:
    """Record that the full record (with the whole ID number) was shown."""
    audit_record(actor=actor, action=AuditEvent.Action.VIEW, target=person)


# ---------------------------------------------------------------- people and households

def _home_region_for(id_info: rules.IdNumberInfo) -> Region:
    """Registered residence region for a person new to the registry: the county
    of the ID's address code when it is ours, else the top of our tree."""
    region = Region.objects.filter(code=f"{id_info.address_code}000000").first()
    if region is None:
        region = Region.objects.order_by("level", "code").first()
    if region is None:
        raise DomainError(_("系统尚未配置行政区划，请联系管理员。"))
    return region


@transaction.atomic
def person_create(*, actor, id_number: str, name: str, hukou_region: Region | None = None,
                  residence_region: Region | None = None, phone: str = "", disability_grade: int = 0,
                  disability_type: str = "", labour_capacity: str = Person.LabourCapacity.FULL) -> Person:
    try:
        info = rules.parse_id_number(id_number)
    except rules.IdNumberError as exc:
        raise DomainError(str(exc)) from None
    if Person.objects.filter(id_number=info.number).exists():
        raise DomainError(_("身份证号码 %(id)s 已登记。") % {"id": rules.mask_id_number(info.number)})
    hukou_region = hukou_region or _home_region_for(info)
    person = Person(
        id_number=info.number, name=name.strip(), hukou_region=hukou_region,
        residence_region=residence_region or hukou_region, phone=phone.strip(),
        disability_grade=disability_grade, disability_type=disability_type, labour_capacity=labour_capacity,
    )
    person.full_clean(exclude=["sex", "birth_date"])
    person.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=person,
                 changes={"name": person.name, "id_number": person.masked_id_number})
    return person


PERSON_EDITABLE = ("name", "phone", "residence_region", "disability_grade", "disability_type",
                   "labour_capacity", "serious_illness", "death_date")


@transaction.atomic
def person_update(*, actor, person: Person, **fields) -> Person:
    unknown = set(fields) - set(PERSON_EDITABLE)
    if unknown:
        raise DomainError(_("不可修改的字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    person = Person.objects.select_for_update().get(pk=person.pk)
    changes = _diff(person, fields, fields)
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean(exclude=["sex", "birth_date"], validate_unique=False)
    person.save(update_fields=[*fields, "updated_at"])
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=person, changes=changes)
    return person


def _next_household_number(region: Region) -> str:
    return f"H{region.code[:9]}{secrets.randbelow(10**8):08d}"


def _household_insert(*, region: Region, address: str, number: str | None) -> Household:
    """Insert with a fresh random number, retrying the rare clash with an existing one."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Household.objects.create(number=number or _next_household_number(region),
                                                region=region, address=address)
        except IntegrityError:
            if number:
                raise DomainError(_("户编号 %(n)s 已存在。") % {"n": number}) from None
    raise DomainError(_("无法生成户编号，请重试。"))


@transaction.atomic
def household_create(*, actor, region: Region, head: Person, address: str = "",
                     number: str | None = None) -> Household:
    if region.level != Region.Level.VILLAGE:
        raise DomainError(_("家庭须登记在社区或村一级。"))
    if HouseholdMember.objects.filter(person=head).exists():
        raise DomainError(_("%(name)s 已是其他家庭的成员。") % {"name": head.name})
    household = _household_insert(region=region, address=address, number=number)
    HouseholdMember.objects.create(household=household, person=head, relation=HouseholdMember.Relation.HEAD)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=household,
                 changes={"region": region.code, "head": head.masked_id_number})
    _residence_follows_household(actor=actor, household=household)
    return household


def _residence_follows_household(*, actor, household: Household) -> int:
    """Members live where their household is registered: their actual
    residence moves with it, so staff of that community find them (one
    UPDATE, one audit row per person moved).  Returns how many moved."""
    moved = list(Person.objects.filter(membership__household=household)
                 .exclude(residence_region_id=household.region_id).values_list("pk", "residence_region_id"))
    if moved:
        Person.objects.filter(pk__in=[pk for pk, _old in moved]).update(residence_region_id=household.region_id,
                                                                        updated_at=timezone.now())
        for pk, old in moved:
            audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target_type="civil_affairs.person",
                         target_id=str(pk), region_code=household.region_id,
                         changes={"residence_region": [old, household.region_id], "household": household.number})
    return len(moved)


@transaction.atomic
def household_move(*, actor, household: Household, region: Region, address: str | None = None) -> Household:
    """The household moves to another community or village; its members' residence follows."""
    if region.level != Region.Level.VILLAGE:
        raise DomainError(_("家庭须登记在社区或村一级。"))
    household = Household.objects.select_for_update().get(pk=household.pk)
    changes = {"region": [household.region_id, region.code]}
    household.region = region
    fields = ["region", "updated_at"]
    if address is not None:
        changes["address"] = [household.address, address]
        household.address = address
        fields.append("address")
    household.save(update_fields=fields)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=household, changes=changes)
    _residence_follows_household(actor=actor, household=household)
    return household


@transaction.atomic
def household_member_add(*, actor, household: Household, person: Person, relation: str) -> HouseholdMember:
    if relation == HouseholdMember.Relation.HEAD:
        raise DomainError(_("一户只能有一名户主。"))
    try:
        with transaction.atomic():
            member = HouseholdMember.objects.create(household=household, person=person, relation=relation)
    except IntegrityError:
        raise DomainError(_("%(name)s 已是其他家庭的成员。") % {"name": person.name}) from None
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=household,
                 changes={"member_added": person.masked_id_number, "relation": relation})
    _residence_follows_household(actor=actor, household=household)
    return member


# ---------------------------------------------------------------- accounts

@transaction.atomic
def resident_register(*, phone: str, id_number: str, name: str, password: str) -> User:
    """A resident's own account, bound to exactly one Person: the one the
    registry already holds for that ID number, or a new one."""
    phone = phone.strip()
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise DomainError(_("请输入11位手机号码。"))
    try:
        info = rules.parse_id_number(id_number)
    except rules.IdNumberError as exc:
        raise DomainError(str(exc)) from None
    if User.objects.filter(username=phone).exists():
        raise DomainError(_("该手机号码已注册，请直接登录。"))
    person = Person.objects.select_for_update().filter(id_number=info.number).first()
    if person is not None:
        if person.name != name.strip():
            raise DomainError(_("姓名与身份证号码不一致，请核对。"))
        if User.objects.filter(person=person).exists():
            raise DomainError(_("该身份证号码已绑定其他账号。如非本人操作，请联系所在街道。"))
    else:
        person = person_create(actor=None, id_number=info.number, name=name, phone=phone)
    user = User(username=phone, phone=phone, role=Role.RESIDENT, person=person, first_name=person.name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    user.set_password(password)
    user.save()
    audit_record(actor=user, action=AuditEvent.Action.CREATE, target=user, target_type="civil_affairs.user",
                 region_code=person.residence_region_id, changes={"registered_as": person.masked_id_number})
    return user


@transaction.atomic
def staff_user_create(*, actor, username: str, password: str, role: str, region: Region,
                      name: str = "", is_admin_site: bool = False) -> User:
    if role == Role.RESIDENT:
        raise DomainError(_("居民账号请通过居民注册创建。"))
    user = User(username=username, role=role, region=region, first_name=name,
                is_staff=is_admin_site or role == Role.BUREAU_ADMIN,
                is_superuser=role == Role.BUREAU_ADMIN)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=user, region_code=region.code,
                 changes={"role": role, "region": region.code})
    return user


# ---------------------------------------------------------------- documents

ALLOWED_UPLOADS = {
    # extension: (content type, magic bytes)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def document_check(uploaded) -> str:
    """Return the content type of an acceptable upload or raise DomainError."""
    ext = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    if ext not in ALLOWED_UPLOADS:
        raise DomainError(_("只接受 PDF、JPG、PNG 文件。"))
    if uploaded.size > settings.DOCUMENT_MAX_BYTES:
        raise DomainError(_("文件不能超过 %(mb)d MB。") % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)})
    if uploaded.size == 0:
        raise DomainError(_("文件为空。"))
    content_type, magics = ALLOWED_UPLOADS[ext]
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise DomainError(_("文件内容与扩展名不符。"))
    return content_type


@transaction.atomic
def document_upload(*, actor, kind: str, uploaded, household: Household | None = None,
                    person: Person | None = None) -> Document:
    if household is None and person is None:
        raise DomainError(_("材料须属于一个家庭或一名人员。"))
    content_type = document_check(uploaded)
    doc = Document(household=household, person=person, kind=kind, original_name=uploaded.name[:200],
                   content_type=content_type, size=uploaded.size, uploaded_by=actor,
                   uploaded_at=timezone.now())
    doc.file.save(uploaded.name, uploaded, save=False)
    doc.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=doc,
                 region_code=household.region_id if household else person.residence_region_id,
                 changes={"kind": kind, "name": doc.original_name, "size": doc.size})
    return doc


# ---------------------------------------------------------------- batch runs

def batchrun_create(*, kind: str, params: dict, user=None, region: Region | None = None,
                    total: int = 0) -> BatchRun:
    region = region or (user.region if user is not None and not user.is_resident else None)
    if region is None and user is None:  # a system run (Celery beat, a command): city-wide, seen city-wide
        region = Region.objects.order_by("level", "code").first()
    return BatchRun.objects.create(kind=kind, params=params, created_by=user, region=region, total=total)


def batchrun_started(*, run_id: int, total: int) -> None:
    BatchRun.objects.filter(pk=run_id).update(status=BatchRun.Status.RUNNING, total=total,
                                              started_at=timezone.now())


MAX_KEPT_ERRORS = 1000  # the rest are counted; the error file is the full record


def batchrun_progress(*, run_id: int, done: int, errors: list[dict] | None = None) -> None:
    """Add `done` rows and any row errors: every error goes to the error
    file's table, the first MAX_KEPT_ERRORS also onto the run for its page."""
    errors = errors or []
    run = BatchRun.objects.only("errors").get(pk=run_id)
    kept = run.errors + errors[: max(0, MAX_KEPT_ERRORS - len(run.errors))]
    BatchRunError.objects.bulk_create(BatchRunError(run_id=run_id, row=e.get("row"), reason=e.get("reason", ""))
                                      for e in errors)
    BatchRun.objects.filter(pk=run_id).update(done=F("done") + done, error_count=F("error_count") + len(errors),
                                              errors=kept)


@transaction.atomic
def batchrun_retry(*, user, run_id: int) -> BatchRun:
    """Queue a failed or interrupted run again; it resumes where it stopped,
    and its work is idempotent, so nothing is done twice."""
    from .tasks import task_for_kind

    run = BatchRun.objects.select_for_update().get(pk=run_id)
    if run.status not in (BatchRun.Status.FAILED, BatchRun.Status.RUNNING):
        raise DomainError(_("只有失败或中断的任务可以重新运行。"))
    task = task_for_kind(run.kind)
    run.status, run.finished_at, run.message = BatchRun.Status.PENDING, None, ""
    run.save(update_fields=["status", "finished_at", "message"])
    audit_record(actor=user, action=AuditEvent.Action.UPDATE, target=run, region_code=run.region_id or "",
                 changes={"retry": True, "done": run.done, "total": run.total})
    transaction.on_commit(lambda: task.delay(run.pk))
    return run


def batchrun_finish(*, run_id: int, message: str = "", failed: bool = False) -> None:
    BatchRun.objects.filter(pk=run_id).update(
        status=BatchRun.Status.FAILED if failed else BatchRun.Status.SUCCEEDED,
        message=message, finished_at=timezone.now(),
    )


# ---------------------------------------------------------------- registry import

IMPORT_CHUNK_ROWS = 500
IMPORT_FORMATS = {"csv", "xlsx"}


def _import_dir():
    from pathlib import Path

    path = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def registry_import_start(*, user, kind: str, uploaded) -> BatchRun:
    """Keep the uploaded file outside the web root and queue its import."""
    from .resources import import_kinds_for
    from .tasks import registry_import_task

    if kind not in dict(import_kinds_for(user)):
        raise DomainError(_("未知的导入类型，或您无权导入：%(k)s") % {"k": kind})
    ext = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    if ext not in IMPORT_FORMATS:
        raise DomainError(_("只接受 CSV 或 Excel（.xlsx）文件。"))
    if uploaded.size > 50 * 1024 * 1024:
        raise DomainError(_("导入文件不能超过 50 MB。"))
    with transaction.atomic():
        run = batchrun_create(kind=f"import_{kind}", params={"kind": kind, "filename": uploaded.name[:200]},
                              user=user)
        path = _import_dir() / f"{run.pk}.{ext}"
        with open(path, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        run.params["path"] = str(path)
        run.save(update_fields=["params"])
        audit_record(actor=user, action=AuditEvent.Action.IMPORT, target=run,
                     region_code=run.region_id or "", changes={"kind": kind, "filename": uploaded.name})
        transaction.on_commit(lambda: registry_import_task.delay(run.pk))
    return run


def _load_dataset(path: str):
    import tablib

    ext = path.rsplit(".", 1)[-1]
    mode = "rb" if ext == "xlsx" else "r"
    with open(path, mode, **({} if mode == "rb" else {"encoding": "utf-8-sig"})) as fh:
        dataset = tablib.Dataset().load(fh.read(), format=ext)
    # Excel gives numbers for digit columns; our codes are text.
    dataset.headers = [str(h).strip() for h in dataset.headers]
    return dataset


def _row_errors(result, offset: int) -> list[dict]:
    """Row errors with the row number people see in their spreadsheet (header = row 1)."""
    errors = []
    for invalid in result.invalid_rows:
        reasons = "; ".join(f"{field}: {' '.join(msgs)}" if field != "__all__" else " ".join(msgs)
                            for field, msgs in invalid.error_dict.items())
        errors.append({"row": offset + invalid.number + 1, "reason": reasons})
    for number, row_errors in result.row_errors():
        errors.append({"row": offset + number + 1, "reason": "; ".join(str(e.error) for e in row_errors)})
    return sorted(errors, key=lambda e: e["row"])


def registry_import_run(*, run_id: int) -> BatchRun:
    """Import a registry file in chunks: good rows are kept, bad rows are
    reported with their row number.  Resumes after `done` when restarted."""
    from .resources import RESOURCES

    run = BatchRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    try:
        dataset = _load_dataset(run.params["path"])
    except Exception as exc:  # unreadable file: say so, keep nothing half-done
        batchrun_finish(run_id=run.pk, failed=True, message=_("文件无法读取：%(e)s") % {"e": exc})
        return BatchRun.objects.get(pk=run.pk)
    resource = RESOURCES[run.params["kind"]]()
    total = len(dataset)
    batchrun_started(run_id=run.pk, total=total)
    try:
        for start in range(run.done, total, IMPORT_CHUNK_ROWS):
            chunk = dataset.subset(rows=range(start, min(start + IMPORT_CHUNK_ROWS, total)))
            chunk.headers = dataset.headers
            result = resource.import_data(chunk, dry_run=False, raise_errors=False, use_transactions=False)
            batchrun_progress(run_id=run.pk, done=len(chunk), errors=_row_errors(result, start))
    except OperationalError:
        raise  # transient: the task retries and resumes from `done`
    except Exception as exc:
        batchrun_finish(run_id=run.pk, failed=True, message=_("导入中断：%(e)s。可在修正后重新运行。") % {"e": exc})
        raise
    run.refresh_from_db()
    batchrun_finish(run_id=run.pk, message=_("共 %(t)d 行，成功 %(ok)d 行，错误 %(bad)d 行。") % {
        "t": total, "ok": total - run.error_count, "bad": run.error_count})
    return BatchRun.objects.get(pk=run.pk)
