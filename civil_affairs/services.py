"""Every write to the shared core.  Each service runs in a transaction and
records an audit event; views, the API, admin actions and Celery tasks call
these and hold no rules of their own."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rules, sms, uploads
from .errors import DomainError  # the public home is civil_affairs.errors; importable from here as before
from .middleware import current_request
from .models import (
    AuditEvent,
    BatchRun,
    BatchRunError,
    Document,
    Household,
    HouseholdMember,
    OneTimeCode,
    Person,
    Region,
    Role,
    User,
)

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- audit


def _region_of(target: Model) -> str:
    for attr in ("region_id", "residence_region_id", "district_id"):  # district_id: payment rolls
        value = getattr(target, attr, None)
        if value:
            return value
    for owner in ("household", "person"):  # documents and records: where their owner lives
        value = getattr(target, owner, None)
        if value is not None:
            return _region_of(value)
    return ""


def audit_record(
    *,
    actor,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str = "",
    changes: dict[str, Any] | None = None,
    region_code: str = "",
    request=None,
) -> AuditEvent:
    """Append one audit event.  Who/where come from the current request when
    the caller has one (middleware keeps it), so services need not pass it."""
    request = request or current_request()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        region_code = region_code or _region_of(target)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    ip, ua = _client_ip(request), None
    if request is not None:
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


# The columns of the rows a set-based audit writes, in order (the rest are filled in:
# no IP or user agent for a batch, the time of the statement).
AUDIT_ROW_COLUMNS = ("actor_id", "actor_label", "action", "target_type", "target_id", "region_code", "changes")


def audit_rows_sql(source: str) -> str:
    """One INSERT … SELECT writing an audit event per row of `source` (a CTE or a
    parenthesised subquery whose columns are AUDIT_ROW_COLUMNS, in order).  For
    set-based batches: used as a data-modifying CTE beside the change it records
    (same statement, same transaction), so no area writes INSERTs into the audit
    table by hand."""
    cols = ", ".join(AUDIT_ROW_COLUMNS)
    return (
        f"INSERT INTO {AuditEvent._meta.db_table} ({cols}, ip_address, user_agent, at) "
        f"SELECT a.actor_id::bigint, a.actor_label, a.action, a.target_type, a.target_id::text, "
        f"a.region_code, a.changes::jsonb, NULL, '', now() FROM {source} AS a({cols})"
    )


def audit_rows(*, select_sql: str, params: dict | list | None = None) -> int:
    """Write one audit event per row of `select_sql` (columns: AUDIT_ROW_COLUMNS) in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(audit_rows_sql(f"({select_sql})"), params)
        return cursor.rowcount


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get(settings.AUDIT_CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR")


def export_recorded(*, actor, target_type: str, filters: dict, target: Model | None = None) -> AuditEvent:
    """Every spreadsheet export leaves an audit event with the filters used
    (and the record, when the export is of one record, e.g. a run's error file)."""
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target_type=target_type,
        target=target,
        region_code=actor.region_id or "",
        changes={"filters": filters},
    )


def person_search_recorded(*, actor, query_kind: str, masked: str, results: int) -> AuditEvent:
    """One event per search by ID number (whole number, last four or prefix),
    with the query masked and how many rows it found."""
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        target_type="civil_affairs.person_search",
        region_code=getattr(actor, "region_id", None) or "",
        changes={"query_kind": query_kind, "masked": masked, "results": results},
    )


def record_viewed(*, actor, target: Model, changes: dict[str, Any] | None = None) -> AuditEvent:
    """A page or API call showed this record in full: who saw it, and when."""
    return audit_record(actor=actor, action=AuditEvent.Action.VIEW, target=target, changes=changes)


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
    record_viewed(actor=actor, target=person)


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
def person_create(
    *,
    actor,
    id_number: str,
    name: str,
    hukou_region: Region | None = None,
    residence_region: Region | None = None,
    phone: str = "",
    disability_grade: int = 0,
    disability_type: str = "",
    labour_capacity: str = Person.LabourCapacity.FULL,
) -> Person:
    try:
        info = rules.parse_id_number(id_number)
        name = rules.validate_person_name(name)  # a refusal the caller can show, not a ValidationError
    except (rules.IdNumberError, rules.PersonNameError) as exc:
        raise DomainError(str(exc)) from None
    if Person.objects.filter(id_number=info.number).exists():
        raise DomainError(_("身份证号码 %(id)s 已登记。") % {"id": rules.mask_id_number(info.number)})
    hukou_region = hukou_region or _home_region_for(info)
    person = Person(
        id_number=info.number,
        name=name,
        hukou_region=hukou_region,
        residence_region=residence_region or hukou_region,
        phone=phone.strip(),
        disability_grade=disability_grade,
        disability_type=disability_type,
        labour_capacity=labour_capacity,
    )
    person.full_clean(exclude=["sex", "birth_date"])
    person.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=person,
        changes={"name": person.name, "id_number": person.masked_id_number},
    )
    return person


PERSON_EDITABLE = (
    "name",
    "phone",
    "residence_region",
    "disability_grade",
    "disability_type",
    "labour_capacity",
    "serious_illness",
    "death_date",
)


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
                return Household.objects.create(
                    number=number or _next_household_number(region), region=region, address=address
                )
        except IntegrityError:
            if number:
                raise DomainError(_("户编号 %(n)s 已存在。") % {"n": number}) from None
    raise DomainError(_("无法生成户编号，请重试。"))


@transaction.atomic
def household_create(*, actor, region: Region, head: Person, address: str = "", number: str | None = None) -> Household:
    if region.level != Region.Level.VILLAGE:
        raise DomainError(_("家庭须登记在社区或村一级。"))
    if HouseholdMember.objects.filter(person=head).exists():
        raise DomainError(_("%(name)s 已是其他家庭的成员。") % {"name": head.name})
    household = _household_insert(region=region, address=address, number=number)
    HouseholdMember.objects.create(household=household, person=head, relation=HouseholdMember.Relation.HEAD)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=household,
        changes={"region": region.code, "head": head.masked_id_number},
    )
    _residence_follows_household(actor=actor, household=household)
    return household


def _residence_follows_household(*, actor, household: Household) -> int:
    """Members live where their household is registered: their actual
    residence moves with it, so staff of that community find them (one
    UPDATE, one audit row per person moved).  Returns how many moved."""
    moved = list(
        Person.objects.filter(membership__household=household)
        .exclude(residence_region_id=household.region_id)
        .values_list("pk", "residence_region_id")
    )
    if moved:
        Person.objects.filter(pk__in=[pk for pk, _old in moved]).update(
            residence_region_id=household.region_id, updated_at=timezone.now()
        )
        for pk, old in moved:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                target_type="civil_affairs.person",
                target_id=str(pk),
                region_code=household.region_id,
                changes={"residence_region": [old, household.region_id], "household": household.number},
            )
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
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=household,
        changes={"member_added": person.masked_id_number, "relation": relation},
    )
    _residence_follows_household(actor=actor, household=household)
    return member


# ---------------------------------------------------------------- accounts

# One answer for a wrong name and for a person already bound to an account:
# the form must not tell whether an ID number is in the registry, nor whose it is.
REGISTER_REFUSED = gettext_lazy("无法完成注册，请核对姓名和身份证号码；如有疑问请到所在街道办理。")


def _registration_checked(*, phone: str, id_number: str, name: str) -> tuple[str, rules.IdNumberInfo, Person | None]:
    """What every registration step checks first: the normalised phone, the ID
    number's parts, and the registry's person for it (locked) if there is one."""
    try:
        phone = rules.parse_mobile_phone(phone)
        info = rules.parse_id_number(id_number)
    except (rules.PhoneError, rules.IdNumberError) as exc:
        raise DomainError(str(exc)) from None
    if User.objects.filter(Q(username=phone) | Q(role=Role.RESIDENT, phone=phone)).exists():
        raise DomainError(_("该手机号码已注册，请直接登录。"))
    person = Person.objects.select_for_update().filter(id_number=info.number).first()
    if person is not None:
        # Both queries always run, so a wrong name and a bound person take the same path.
        bound = User.objects.filter(person=person).exists()
        if bound or person.name != name.strip():
            raise DomainError(str(REGISTER_REFUSED))
    return phone, info, person


def _code_proves(person: Person | None, phone: str) -> bool:
    """A code to this phone proves the registrant is the person: the registry
    holds this phone for them, or holds no record of them to protect."""
    return person is None or rules.same_mobile_phone(person.phone, phone)


def resident_register_begin(*, phone: str, id_number: str, name: str, password: str) -> User | None:
    """Step one of a resident's own registration.

    When the registry holds this person with this very phone, or holds no such
    person yet, a code goes to the phone and None is returned:
    resident_register_finish follows with the code.  Otherwise (no phone on
    file, or another one) the account is created at once but unverified: it
    sees no household or case data until a caseworker has checked the
    resident's ID card in person (resident_verify)."""
    with transaction.atomic():
        phone, info, person = _registration_checked(phone=phone, id_number=id_number, name=name)
        try:
            validate_password(password, User(username=phone, first_name=name.strip()))
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from None
        if _code_proves(person, phone):
            otp_send(purpose=OneTimeCode.Purpose.REGISTER, phone=phone, person=person)
            return None
        return resident_account_create(
            phone=phone, id_number=info.number, name=name, password_hash=make_password(password)
        )


@transaction.atomic
def resident_register_code_resend(*, phone: str, id_number: str, name: str) -> None:
    phone, _info, person = _registration_checked(phone=phone, id_number=id_number, name=name)
    if not _code_proves(person, phone):
        raise DomainError(str(REGISTER_REFUSED))
    otp_send(purpose=OneTimeCode.Purpose.REGISTER, phone=phone, person=person)


def resident_register_finish(*, phone: str, id_number: str, name: str, password_hash: str, code: str) -> User:
    """Step two: the code proves the phone, and the account is created verified
    (with the person, when the registry had none).  The code is checked before
    the transaction so that a wrong try is counted whatever follows."""
    otp = otp_verify(purpose=OneTimeCode.Purpose.REGISTER, phone=phone, code=code)
    with transaction.atomic():
        person = Person.objects.filter(id_number=id_number).first()
        # The registry changed between the steps (a record made, a phone edited): start again.
        if (person.pk if person else None) != otp.person_id or not _code_proves(person, phone):
            raise DomainError(str(REGISTER_REFUSED))
        return resident_account_create(
            phone=phone, id_number=id_number, name=name, password_hash=password_hash, verification_method="sms"
        )


@transaction.atomic
def resident_account_create(
    *, phone: str, id_number: str, name: str, password_hash: str, verification_method: str = ""
) -> User:
    """A resident's account bound to exactly one Person: the one the registry
    holds for the ID number, or a new one recorded as created by this account.
    Verified now when `verification_method` says how ("sms", "in_person");
    the registration steps call this after their checks, the demo seeder directly."""
    phone, info, person = _registration_checked(phone=phone, id_number=id_number, name=name)
    verified = bool(verification_method)
    user = User(
        username=phone,
        phone=phone,
        role=Role.RESIDENT,
        first_name=person.name if person else name.strip(),
        password=password_hash,
        verified_at=timezone.now() if verified else None,
        verification_method=verification_method,
    )
    user.save()
    if person is None:  # the account exists first so that the new person is recorded as its doing
        person = person_create(actor=user, id_number=info.number, name=name, phone=phone)
    user.person = person
    user.save(update_fields=["person"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=user,
        target_type="civil_affairs.user",
        region_code=person.residence_region_id,
        changes={"registered_as": person.masked_id_number, "verification": verification_method or "pending"},
    )
    return user


@transaction.atomic
def resident_verify(*, actor, user: User) -> User:
    """A caseworker has seen the resident's ID card at the window: the account
    may now see its household and cases."""
    user = User.objects.select_for_update(of=("self",)).select_related("person").get(pk=user.pk)
    if not user.is_resident or user.person is None:
        raise DomainError(_("只有绑定了人员的居民账号需要核验。"))
    if user.verified_at is not None:
        raise DomainError(_("该居民账号已核验。"))
    user.verified_at, user.verified_by, user.verification_method = timezone.now(), actor, "in_person"
    user.save(update_fields=["verified_at", "verified_by", "verification_method"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=user,
        target_type="civil_affairs.user",
        region_code=user.person.residence_region_id,
        changes={"verification_method": "in_person", "person": user.person.masked_id_number},
    )
    return user


# ---------------------------------------------------------------- one-time codes (SMS)

OTP_LOCK_CLASS = 0x4F54  # pg_advisory_xact_lock(class, hashtext(phone)): one send per phone at a time
OTP_MESSAGES = {
    OneTimeCode.Purpose.REGISTER: gettext_lazy(
        "【民政】验证码 %(code)s，用于注册居民账号，%(minutes)d分钟内有效。如非本人操作请忽略，切勿告诉他人。"
    ),
    OneTimeCode.Purpose.RESET_PASSWORD: gettext_lazy(
        "【民政】验证码 %(code)s，用于找回密码，%(minutes)d分钟内有效。如非本人操作请忽略，切勿告诉他人。"
    ),
}


def _otp_digest(*, purpose: str, phone: str, code: str) -> str:
    """Keyed hash: with a million possible codes a plain hash in a leaked table would give them away."""
    message = f"{purpose}:{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _client_sends_counted(ip: str | None) -> int:
    """Count one more code asked for from this client address this hour (in the shared cache)."""
    if not ip:
        return 0
    key = f"otp-sends:{ip}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return 1


@transaction.atomic
def otp_send(*, purpose: str, phone: str, person: Person | None = None) -> OneTimeCode:
    """A fresh 6-digit code for `purpose`, texted to `phone` once this
    transaction commits (only its keyed hash is stored).  Refused when the phone
    had one in the last OTP_RESEND_SECONDS, OTP_MAX_PER_PHONE_HOUR in the last
    hour, or the client address asked OTP_MAX_PER_IP_HOUR times this hour."""
    with connection.cursor() as cursor:  # concurrent sends to one phone queue here, so the counts hold
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [OTP_LOCK_CLASS, phone])
    now = timezone.now()
    last_hour = OneTimeCode.objects.filter(phone=phone, created_at__gt=now - dt.timedelta(hours=1))
    if last_hour.filter(created_at__gt=now - dt.timedelta(seconds=settings.OTP_RESEND_SECONDS)).exists():
        raise DomainError(_("验证码已发送，请%(s)d秒后再重新获取。") % {"s": settings.OTP_RESEND_SECONDS})
    if last_hour.count() >= settings.OTP_MAX_PER_PHONE_HOUR:
        logger.warning("one-time codes: %s reached its hourly limit", rules.mask_phone(phone))
        raise DomainError(_("该手机号码获取验证码次数过多，请一小时后再试。"))
    ip = _client_ip(current_request())
    if _client_sends_counted(ip) > settings.OTP_MAX_PER_IP_HOUR:
        logger.warning("one-time codes: client %s reached its hourly limit", ip)
        raise DomainError(_("获取验证码次数过多，请稍后再试。"))
    code = f"{secrets.randbelow(10**6):06d}"
    otp = OneTimeCode.objects.create(
        purpose=purpose,
        phone=phone,
        person=person,
        code_hash=_otp_digest(purpose=purpose, phone=phone, code=code),
        expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    message = str(OTP_MESSAGES[purpose] % {"code": code, "minutes": max(1, settings.OTP_TTL_SECONDS // 60)})
    # robust: a gateway failure is logged, not shown as an error page; the resident asks again.
    transaction.on_commit(partial(sms.send_sms, phone=phone, message=message), robust=True)
    logger.info("one-time code (%s) queued for %s", purpose, rules.mask_phone(phone))
    return otp


def otp_verify(*, purpose: str, phone: str, code: str) -> OneTimeCode:
    """Use up the newest code sent to `phone` for `purpose`, or raise DomainError.
    Call it outside a transaction: a wrong try is counted and committed even
    though the caller stops there.  After OTP_MAX_ATTEMPTS wrong tries the code
    is dead (and the lockout audited); a new one must be asked for."""
    dead = _("验证码错误次数过多，已失效，请重新获取。")
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(purpose=purpose, phone=phone)
            .order_by("-created_at", "-pk")
            .first()
        )
        if otp is None or otp.used_at is not None or otp.expires_at <= timezone.now():
            raise DomainError(_("验证码已失效，请重新获取。"))
        if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise DomainError(dead)
        entered = rules.ascii_digits(code or "").strip()
        if hmac.compare_digest(otp.code_hash, _otp_digest(purpose=purpose, phone=phone, code=entered)):
            otp.used_at = timezone.now()
            otp.save(update_fields=["used_at"])
            return otp
        otp.attempts += 1
        otp.save(update_fields=["attempts"])
        left = settings.OTP_MAX_ATTEMPTS - otp.attempts
        if left == 0:
            logger.warning(
                "one-time code (%s) for %s locked after %d wrong tries", purpose, rules.mask_phone(phone), otp.attempts
            )
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                target=otp,
                changes={
                    "locked": True,
                    "purpose": purpose,
                    "phone": rules.mask_phone(phone),
                    "attempts": otp.attempts,
                },
            )
    if left == 0:
        raise DomainError(dead)
    raise DomainError(_("验证码错误，还可再试%(n)d次。") % {"n": left})


@transaction.atomic
def staff_user_create(
    *, actor, username: str, password: str, role: str, region: Region, name: str = "", is_admin_site: bool = False
) -> User:
    if role == Role.RESIDENT:
        raise DomainError(_("居民账号请通过居民注册创建。"))
    user = User(
        username=username,
        role=role,
        region=region,
        first_name=name,
        is_staff=is_admin_site or role == Role.BUREAU_ADMIN,
        is_superuser=role == Role.BUREAU_ADMIN,
    )
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=user,
        region_code=region.code,
        changes={"role": role, "region": region.code},
    )
    return user


@transaction.atomic
def api_token_issue(*, user: User, ttl: dt.timedelta) -> tuple[Any, str]:
    """A fresh API token (knox, stored hashed) that expires after `ttl`.  Every
    earlier token of the user is revoked, so a leaked old token stops working."""
    from knox.models import AuthToken

    revoked, _by_model = AuthToken.objects.filter(user=user).delete()
    instance, token = AuthToken.objects.create(user=user, expiry=ttl)
    audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN,
        target=user,
        changes={"api_token": instance.token_key, "expiry": instance.expiry, "revoked": revoked},
    )
    return instance, token


@transaction.atomic
def api_token_revoke(*, user: User, token=None) -> int:
    """Log out of the API: the given token, or every token of the user."""
    tokens = user.auth_token_set.all() if token is None else user.auth_token_set.filter(pk=token.pk)
    revoked, _by_model = tokens.delete()
    audit_record(
        actor=user,
        action=AuditEvent.Action.DELETE,
        target=user,
        changes={"api_token": "all" if token is None else token.token_key, "revoked": revoked},
    )
    return revoked


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
    data = uploaded.read()  # at most DOCUMENT_MAX_BYTES, checked above
    uploaded.seek(0)
    if not any(data.startswith(m) for m in magics):
        raise DomainError(_("文件内容与扩展名不符。"))
    try:  # the whole file, with a real parser: a right header proves nothing
        uploads.content_check(data, ext)
    except uploads.UploadRejected as exc:
        raise DomainError(str(exc)) from None
    return content_type


@transaction.atomic
def document_upload(
    *, actor, kind: str, uploaded, household: Household | None = None, person: Person | None = None
) -> Document:
    if household is None and person is None:
        raise DomainError(_("材料须属于一个家庭或一名人员。"))
    content_type = document_check(uploaded)
    doc = Document(
        household=household,
        person=person,
        kind=kind,
        original_name=uploaded.name[:200],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    doc.file.save(uploaded.name, uploaded, save=False)
    doc.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=doc,
        region_code=household.region_id if household else person.residence_region_id,
        changes={"kind": kind, "name": doc.original_name, "size": doc.size},
    )
    return doc


# ---------------------------------------------------------------- batch runs


def batchrun_create(*, kind: str, params: dict, user=None, region: Region | None = None, total: int = 0) -> BatchRun:
    region = region or (user.region if user is not None and not user.is_resident else None)
    if region is None and user is None:
        # A system run (Celery beat, a command) concerns the whole city: filed under the
        # city, so the city's administrators and auditors see it and can resume it (the
        # province row above it is in nobody's jurisdiction).
        region = (
            Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
            or Region.objects.order_by("level", "code").first()
        )
    return BatchRun.objects.create(kind=kind, params=params, created_by=user, region=region, total=total)


def batchrun_started(*, run_id: int, total: int) -> None:
    now = timezone.now()
    BatchRun.objects.filter(pk=run_id).update(
        status=BatchRun.Status.RUNNING, total=total, started_at=now, heartbeat_at=now
    )


MAX_KEPT_ERRORS = 1000  # the rest are counted; the error file is the full record


def batchrun_progress(*, run_id: int, done: int, errors: list[dict] | None = None) -> None:
    """Add `done` rows and any row errors: every error goes to the error
    file's table, the first MAX_KEPT_ERRORS also onto the run for its page."""
    errors = errors or []
    run = BatchRun.objects.only("errors").get(pk=run_id)
    kept = run.errors + errors[: max(0, MAX_KEPT_ERRORS - len(run.errors))]
    BatchRunError.objects.bulk_create(
        BatchRunError(run_id=run_id, row=e.get("row"), reason=e.get("reason", "")) for e in errors
    )
    BatchRun.objects.filter(pk=run_id).update(
        done=F("done") + done, error_count=F("error_count") + len(errors), errors=kept, heartbeat_at=timezone.now()
    )  # the worker is alive


@transaction.atomic
def batchrun_retry(*, user, run_id: int) -> BatchRun:
    """Queue a failed or interrupted run again; it resumes where it stopped,
    and its work is idempotent, so nothing is done twice.  A running run counts
    as interrupted only once its heartbeat is stale (its worker stopped); even
    then the batch's advisory lock keeps a worker that is in fact alive alone."""
    from .batches import batchrun_enqueue, capability_for_kind, is_interrupted
    from .permissions import has_capability

    run = BatchRun.objects.select_for_update().get(pk=run_id)
    capability = capability_for_kind(run.kind)
    if capability is None or not has_capability(user, capability):
        raise DomainError(_("您没有重新运行该任务的权限。"))
    if run.status == BatchRun.Status.RUNNING and not is_interrupted(run):
        raise DomainError(
            _(
                "任务 #%(id)d 正在另一工作进程中运行（已处理 %(done)d/%(total)d），不能重复启动；"
                "若 %(n)d 分钟内没有进展，将显示为已中断，届时可继续运行。"
            )
            % {"id": run.pk, "done": run.done, "total": run.total, "n": settings.BATCH_HEARTBEAT_STALE_MINUTES}
        )
    if run.status not in (BatchRun.Status.FAILED, BatchRun.Status.RUNNING):
        raise DomainError(_("只有失败或中断的任务可以重新运行。"))
    status_before = run.status
    run.status, run.finished_at, run.message = BatchRun.Status.PENDING, None, ""
    run.save(update_fields=["status", "finished_at", "message"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=run,
        region_code=run.region_id or "",
        changes={"retry": True, "done": run.done, "total": run.total, "was": status_before},
    )
    batchrun_enqueue(run)
    return run


def batchrun_finish(*, run_id: int, message: str = "", failed: bool = False) -> None:
    BatchRun.objects.filter(pk=run_id).update(
        status=BatchRun.Status.FAILED if failed else BatchRun.Status.SUCCEEDED,
        message=message,
        finished_at=timezone.now(),
    )


# ---------------------------------------------------------------- registry import

IMPORT_CHUNK_ROWS = 500
IMPORT_FORMATS = {"csv", "xlsx"}


def _import_dir():
    from pathlib import Path

    path = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_upload(*, run: BatchRun, uploaded, ext: str) -> str:
    """Keep a batch run's uploaded file outside the web root, named by the run
    (imports/<run id>.<ext>, so a resumed run finds it after a restart), and
    record its path in the run's params."""
    path = _import_dir() / f"{run.pk}.{ext}"
    with open(path, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    run.params["path"] = str(path)
    run.save(update_fields=["params"])
    return str(path)


def registry_import_start(*, user, kind: str, uploaded) -> BatchRun:
    """Keep the uploaded file outside the web root and queue its import."""
    from .batches import batchrun_enqueue
    from .resources import import_kinds_for

    if kind not in dict(import_kinds_for(user)):
        raise DomainError(_("未知的导入类型，或您无权导入：%(k)s") % {"k": kind})
    ext = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    if ext not in IMPORT_FORMATS:
        raise DomainError(_("只接受 CSV 或 Excel（.xlsx）文件。"))
    if uploaded.size > 50 * 1024 * 1024:
        raise DomainError(_("导入文件不能超过 50 MB。"))
    with transaction.atomic():
        run = batchrun_create(kind=f"import_{kind}", params={"kind": kind, "filename": uploaded.name[:200]}, user=user)
        keep_upload(run=run, uploaded=uploaded, ext=ext)
        audit_record(
            actor=user,
            action=AuditEvent.Action.IMPORT,
            target=run,
            region_code=run.region_id or "",
            changes={"kind": kind, "filename": uploaded.name},
        )
        batchrun_enqueue(run)
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


def _row_errors(result, offset: int, resource=None) -> list[dict]:
    """Row errors with the row number people see in their spreadsheet (header = row 1),
    each problem under its column's header, in the reader's punctuation (text.clauses)."""
    from . import text

    columns = {name: f.column_name for name, f in resource.fields.items()} if resource is not None else {}
    errors = []
    for invalid in result.invalid_rows:
        reasons = text.clauses(
            text.labelled(columns.get(field, field), text.clauses(msgs)) if field != "__all__" else text.clauses(msgs)
            for field, msgs in invalid.error_dict.items()
        )
        errors.append({"row": offset + invalid.number + 1, "reason": reasons})
    for number, row_errors in result.row_errors():
        errors.append({"row": offset + number + 1, "reason": text.clauses(e.error for e in row_errors)})
    return sorted(errors, key=lambda e: e["row"])


def registry_import_run(*, run_id: int) -> BatchRun:
    """Import a registry file in chunks: good rows are kept, bad rows are
    reported with their row number.  Resumes after `done` when restarted.
    The shared life cycle (batches.run_exclusive): one worker per run, a second
    delivery leaves it be, a transient error is retried, anything else fails it."""
    from .batches import run_exclusive

    run = BatchRun.objects.get(pk=run_id)
    try:
        run_exclusive(
            run=run,
            key=run.pk,
            label=_("导入 #%(id)d") % {"id": run.pk},
            same={"path": run.params.get("path")},
            work=_registry_import_chunks,
        )
    except DomainError:
        pass  # the run failed with its message; the caller reads it from the run
    return BatchRun.objects.get(pk=run.pk)


def _registry_import_chunks(run: BatchRun) -> None:
    from .batches import analyze
    from .resources import import_kinds

    try:
        dataset = _load_dataset(run.params["path"])
    except Exception as exc:  # unreadable file: say so, keep nothing half-done
        raise DomainError(_("文件无法读取：%(e)s") % {"e": exc}) from None
    resource = import_kinds()[run.params["kind"]].resource_class()
    total = len(dataset)
    batchrun_started(run_id=run.pk, total=total)
    for start in range(run.done, total, IMPORT_CHUNK_ROWS):
        chunk = dataset.subset(rows=range(start, min(start + IMPORT_CHUNK_ROWS, total)))
        chunk.headers = dataset.headers
        result = resource.import_data(chunk, dry_run=False, raise_errors=False, use_transactions=False)
        batchrun_progress(run_id=run.pk, done=len(chunk), errors=_row_errors(result, start, resource))
    analyze(resource._meta.model)
    run.refresh_from_db()
    batchrun_finish(
        run_id=run.pk,
        message=_("共 %(t)d 行，成功 %(ok)d 行，错误 %(bad)d 行。")
        % {"t": total, "ok": total - run.error_count, "bad": run.error_count},
    )
