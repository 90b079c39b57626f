"""Writes of the service experience: messages (with SMS queued on commit),
document numbers, ratings and the residents' password reset.  Keyword-only,
each in a transaction, audited where a record of a case changes."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs import rules as core_rules
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, OneTimeCode, Role, User
from civil_affairs.services import audit_record, otp_send, otp_verify

from .models import DocumentNumber, Message, Rating
from .rules import street_of

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- messages

SMS_CHUNK = 500  # message ids per SMS task


def _queue_sms(message_ids: list[int]) -> None:
    """Texts for the residents among the recipients, sent by a Celery task once
    this transaction commits: never inside it (a slow gateway must not hold
    the case's locks, a rolled-back change must not be announced)."""
    if not message_ids:
        return
    from .tasks import message_sms_task

    for i in range(0, len(message_ids), SMS_CHUNK):
        chunk = message_ids[i : i + SMS_CHUNK]
        transaction.on_commit(lambda chunk=chunk: message_sms_task.delay(chunk), robust=True)


@transaction.atomic
def notify(
    *, recipients: Iterable[User | int], title: str, body: str = "", link: str = "", sms: bool = True
) -> list[Message]:
    """One message to each recipient (users or user ids, duplicates once); residents
    with a phone are also texted after commit (`sms`)."""
    ids = list(dict.fromkeys(r if isinstance(r, int) else r.pk for r in recipients if r is not None))
    made = Message.objects.bulk_create(
        [Message(recipient_id=pk, title=str(title)[:120], body=str(body), link=link) for pk in ids]
    )
    if sms:
        _queue_sms([m.pk for m in made])
    return made


@transaction.atomic
def notify_rows(*, select_sql: str, params: dict | list | None = None, sms: bool = True) -> int:
    """Set-based: one message per row of `select_sql` (columns recipient_id,
    title, body, link) in one INSERT … SELECT, e.g. every recipient of a
    payment roll.  Returns how many were written."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (recipient_id, title, body, link, created_at) "
            f"SELECT m.recipient_id, left(m.title, 120), m.body, m.link, now() "
            f"FROM ({select_sql}) AS m(recipient_id, title, body, link) RETURNING id",
            params,
        )
        ids = [row[0] for row in cursor.fetchall()]
    if sms:
        _queue_sms(ids)
    return len(ids)


def messages_texted(*, message_ids: list[int]) -> int:
    """Text each message to its recipient when a resident with a phone (the
    Celery task's body; safe to run twice: a text may repeat, no row changes)."""
    from civil_affairs import sms

    sent = 0
    for message in (
        Message.objects.filter(pk__in=message_ids, recipient__role=Role.RESIDENT)
        .exclude(recipient__phone="")
        .select_related("recipient")
        .order_by("pk")
    ):
        text = _("【民政】%(title)s。详情请登录民政服务网站查看。") % {"title": message.title}
        try:
            sms.send_sms(phone=message.recipient.phone, message=text)
        except Exception:  # noqa: BLE001 — one failing number must not stop the others
            logger.exception(
                "SMS for message %s to %s failed", message.pk, core_rules.mask_phone(message.recipient.phone)
            )
        else:
            sent += 1
    return sent


def messages_mark_read(*, user: User, message_ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages read (all unread ones when no ids are given)."""
    qs = Message.objects.filter(recipient=user, read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=list(message_ids))
    return qs.update(read_at=timezone.now())


# ---------------------------------------------------------------- document numbers

DOCNUM_LOCK_CLASS = 0x444E  # pg_advisory_xact_lock(class, hashtext(series:year)): one allocation at a time


@transaction.atomic
def document_number(*, series: str, prefix: str, kind: str, target: Model, year: int) -> DocumentNumber:
    """The number of document `kind` of `target`: the one it was given, or the
    next of `series` in `year` (gapless: allocated under a lock, in the
    caller's transaction, and kept)."""
    target_type, target_id = target._meta.label_lower, str(target.pk)
    existing = DocumentNumber.objects.filter(kind=kind, target_type=target_type, target_id=target_id).first()
    if existing is not None:
        return existing
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [DOCNUM_LOCK_CLASS, f"{series}:{year}"])
    existing = DocumentNumber.objects.filter(kind=kind, target_type=target_type, target_id=target_id).first()
    if existing is not None:  # given by a concurrent request while we waited
        return existing
    last = (
        DocumentNumber.objects.filter(series=series, year=year)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    ) or 0
    number = DocumentNumber.objects.create(
        series=series,
        year=year,
        sequence=last + 1,
        prefix=prefix,
        kind=kind,
        target_type=target_type,
        target_id=target_id,
    )
    # a step of its own, so the case's timeline does not read it as the case's creation
    audit_record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        target=target,
        changes={"step": "document_number", "document_number": number.text, "document": kind},
    )
    return number


# ---------------------------------------------------------------- ratings


@transaction.atomic
def rating_submit(*, actor: User, area: str, target, score: int, comment: str = "") -> Rating:
    """A resident rates their own case once it has ended; once per case.
    `target` is the area's RatingTarget (selectors.rating_target)."""
    if not target.ended:
        raise DomainError(_("办结后才能评价。"))
    if score not in range(1, 6):
        raise DomainError(_("请选择1至5星。"))
    if Rating.objects.filter(target_type=target.target_type, target_id=target.target_id).exists():
        raise DomainError(_("该事项已评价，每件事项只能评价一次。"))
    rating = Rating.objects.create(
        target_type=target.target_type,
        target_id=target.target_id,
        area=area,
        rater=actor,
        street_code=street_of(target.region_code),
        score=score,
        comment=comment.strip()[:500],
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=rating,
        region_code=target.region_code,
        changes={"case": f"{target.target_type}#{target.target_id}", "score": score},
    )
    return rating


# ---------------------------------------------------------------- forgotten password (residents)

# The same words whether or not the phone has an account (no account enumeration).
RESET_CODE_SENT = gettext_lazy("如果该手机号码已注册居民账号，验证码已发送，请查收短信。")


def _resident_with_phone(phone: str) -> User | None:
    return User.objects.filter(role=Role.RESIDENT, phone=phone, is_active=True).select_related("person").first()


def password_reset_begin(*, phone: str) -> str:
    """Send a reset code to a resident's phone.  Returns the normalised phone.
    Unknown numbers and the OTP service's limits give the same answer as a code
    sent (the limits still hold: no code leaves), so the page tells nothing of
    who has an account."""
    try:
        phone = core_rules.parse_mobile_phone(phone)
    except core_rules.PhoneError as exc:
        raise DomainError(str(exc)) from None
    user = _resident_with_phone(phone)
    if user is not None:
        try:
            otp_send(purpose=OneTimeCode.Purpose.RESET_PASSWORD, phone=phone, person=user.person)
        except DomainError as exc:
            logger.info("password reset for %s: %s", core_rules.mask_phone(phone), exc)
    return phone


def password_reset_finish(*, phone: str, code: str, password: str) -> User:
    """Check the code (outside the transaction: a wrong try counts), then set the password."""
    user = _resident_with_phone(phone)
    if user is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from None
    otp_verify(purpose=OneTimeCode.Purpose.RESET_PASSWORD, phone=phone, code=code)
    if user is None:  # cannot happen: no code is sent to a phone without an account
        raise DomainError(_("验证码已失效，请重新获取。"))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            target=user,
            target_type="civil_affairs.user",
            region_code=user.person.residence_region_id if user.person else "",
            changes={"password": "reset by SMS code", "phone": core_rules.mask_phone(phone)},
        )
    return user
