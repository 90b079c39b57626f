"""Charity's batches on the shared engine (civil_affairs/batches.py):

- yearly receipts (`issue_receipts --org ID --year YYYY`): one receipt per donor
  grouping the year's donations not yet receipted, set-based per chunk of donor
  ids, numbers taken from the locked counter row in the chunk's transaction;
  rerunning adds nothing, a killed run resumes from its last chunk;
- bank / platform statement import (CSV or Excel, streamed): bad rows reported
  with their row number and reason, good rows kept; idempotent by the
  statement's transaction id (the same file twice adds nothing).  Chunks of
  IMPORT_CHUNK rows: parsed in a thread one chunk ahead, COPYed into a
  temporary table, written with one statement for donors and one for
  donations and their ledger entries (the ledger's statement-level trigger
  keeps the per-pot totals, once per chunk), each chunk in its own
  transaction; a chunk is written on a second connection while the one before
  commits, and commits only after it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import queue
import re
import threading
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from civil_affairs.batches import analyze, result_update, run_chunks, run_exclusive
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, BatchRun
from civil_affairs.money import money
from civil_affairs.services import audit_record, audit_rows_sql, batchrun_create, batchrun_finish, batchrun_progress

from .models import Donation, Donor, LedgerEntry, Organisation, Receipt, ReceiptLine

RECEIPTS_KIND = "charity_receipts"
STATEMENT_KIND = "charity_statement"
RECEIPT_CHUNK = 20000  # donor ids per transaction

_YEAR = re.compile(r"^\d{4}$")


def parse_year(value) -> int:
    text = str(value).strip()
    if not _YEAR.match(text) or not 2000 <= int(text) <= 2100:
        raise DomainError(_("年度格式应为 YYYY，例如 2026；收到：%(v)s") % {"v": value})
    return int(text)


def receipts_start(*, org: Organisation, year, user=None) -> BatchRun:
    year = parse_year(year)
    return batchrun_create(
        kind=RECEIPTS_KIND, params={"org": org.pk, "year": year}, user=user, region=None if user else org.region
    )


# One statement per chunk of donor ids.  `pending` (the chunk's donations of the year with no active receipt
# line) is read once and materialised: the receipts are its sums per donor, numbered base + row_number() in
# donor id order, and the lines are `pending` again joined to the receipts just made (no second scan of the
# year's donations).  The unique index on a donation's active line refuses a second receipt whatever races.
YEARLY_SQL = f"""
WITH pending AS MATERIALIZED (
    SELECT d.id, d.donor_id, d.amount
    FROM {Donation._meta.db_table} d
    WHERE d.organisation_id = %(org)s AND d.received_on >= %(y0)s AND d.received_on < %(y1)s
      AND NOT d.receipt_declined AND NOT d.anonymous
      AND d.donor_id >= %(lo)s AND d.donor_id < %(hi)s
      AND NOT EXISTS (SELECT 1 FROM {ReceiptLine._meta.db_table} l WHERE l.donation_id = d.id AND l.active)
),
numbered AS (
    SELECT donor_id, sum(amount) AS amount, %(base)s + row_number() OVER (ORDER BY donor_id) AS number
    FROM pending GROUP BY donor_id
),
made AS (
    INSERT INTO {Receipt._meta.db_table}
        (organisation_id, year, number, kind, donor_id, amount, issued_on, e_receipt_code, void, void_reason, issued_by_id)
    SELECT %(org)s, %(year)s, number, 'yearly', donor_id, amount, %(day)s,
           upper(substr(encode(sha256(convert_to(%(org)s || '-' || %(year)s || '-' || number, 'UTF8')), 'hex'), 1, 20)),
           false, '', %(actor)s
    FROM numbered ORDER BY number
    RETURNING id, donor_id, number, amount
),
lines AS (
    INSERT INTO {ReceiptLine._meta.db_table} (receipt_id, donation_id, amount, active)
    SELECT made.id, p.id, p.amount, true
    FROM made JOIN pending p ON p.donor_id = made.donor_id
    ORDER BY made.id, p.id
    RETURNING 1
),
audited AS (
    {{audit}}
)
SELECT (SELECT count(*) FROM made), (SELECT count(*) FROM lines)
"""

AUDIT_SOURCE = """(SELECT %(actor)s, %(actor_label)s, 'create', 'charity.receipt', made.id::text, %(region)s,
    json_build_object('number', made.number, 'amount', made.amount::text, 'yearly', %(year)s)::text FROM made)"""


def _receipt_step(*, org: Organisation, year: int, actor_id, actor_label: str, day: dt.date):
    sql = YEARLY_SQL.replace("{audit}", audit_rows_sql(AUDIT_SOURCE))
    table = "charity_receiptcounter"

    def step(lo: int, hi: int) -> dict[str, int]:
        with connection.cursor() as cursor:
            # lock the (org, year) counter row for the chunk's transaction: no other receipt takes a number meanwhile
            cursor.execute(
                f"""INSERT INTO {table} (organisation_id, year, last) VALUES (%s, %s, 0)
                    ON CONFLICT (organisation_id, year) DO UPDATE SET last = {table}.last RETURNING last""",
                [org.pk, year],
            )
            base = cursor.fetchone()[0]
            cursor.execute(
                sql,
                {
                    "org": org.pk,
                    "year": year,
                    "y0": dt.date(year, 1, 1),
                    "y1": dt.date(year + 1, 1, 1),
                    "lo": lo,
                    "hi": hi,
                    "base": base,
                    "day": day,
                    "actor": actor_id,
                    "actor_label": actor_label,
                    "region": org.region_id,
                },
            )
            receipts, donations = cursor.fetchone()
            cursor.execute(
                f"UPDATE {table} SET last = last + %s WHERE organisation_id = %s AND year = %s",
                [receipts, org.pk, year],
            )
        return {"receipts": receipts, "donations": donations}

    return step


def receipts_run(*, run_id: int, progress=None) -> dict | None:
    """Issue the run's yearly receipts (the task and the command both call this)."""
    from civil_affairs.clock import today

    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    org = Organisation.objects.filter(pk=run.params.get("org")).first()
    if org is None:
        batchrun_finish(run_id=run_id, failed=True, message=_("慈善组织不存在：%(o)s") % {"o": run.params.get("org")})
        raise DomainError(_("慈善组织不存在：%(o)s") % {"o": run.params.get("org")})
    year = parse_year(run.params.get("year"))
    label = _("%(org)s %(y)d年度捐赠票据") % {"org": org.name, "y": year}

    def work(run: BatchRun) -> dict:
        ids = Donor.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True)
        first = ids.first() or 0
        last = ids.last() or 0
        actor = run.created_by
        counts = run_chunks(
            run_id=run.pk,
            first=first,
            end=last + 1,
            chunk=RECEIPT_CHUNK,
            step=_receipt_step(
                org=org,
                year=year,
                actor_id=actor.pk if actor else None,
                actor_label=actor.get_username() if actor else "system",
                day=today(),
            ),
            progress=progress,
        )
        analyze(Receipt, ReceiptLine)
        message = _("%(what)s：开具 %(r)d 张，涵盖 %(d)d 笔捐赠。") % {
            "what": label,
            "r": counts.get("receipts", 0),
            "d": counts.get("donations", 0),
        }
        result_update(run_id=run.pk, counts=counts)
        batchrun_finish(run_id=run.pk, message=message)
        return counts

    return run_exclusive(run=run, key=org.pk * 10000 + year % 10000, label=label, same=run.params, work=work)


# ---------------------------------------------------------------- statement import

COLUMNS = {
    "transaction_id": ("流水号", "交易流水号", "transaction_id"),
    "date": ("日期", "交易日期", "date"),
    "amount": ("金额", "金额（元）", "amount"),
    "name": ("捐赠人", "付款人", "户名", "name"),
    "kind": ("类型", "捐赠人类型", "kind"),
    "id_number": ("证件号码", "身份证号码", "id_number"),
    "account": ("账号", "付款账号", "account"),
}
KINDS = {"个人": "person", "person": "person", "": "person", "单位": "company", "企业": "company", "company": "company"}
IMPORT_CHUNK = 10000


def _header_map(header: list) -> dict[str, int]:
    found = {}
    for i, cell in enumerate(header):
        text = str(cell or "").strip().lstrip("\ufeff")
        for key, names in COLUMNS.items():
            if text in names:
                found[key] = i
    missing = [COLUMNS[k][0] for k in ("transaction_id", "date", "amount", "name") if k not in found]
    if missing:
        raise DomainError(_("流水文件缺少列：%(c)s（第一行应为列名）") % {"c": "、".join(missing)})
    return found


def _rows(path: str):
    """(row number, cells) streamed from a CSV or Excel file; row 1 is the header."""
    if path.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for n, row in enumerate(book.active.iter_rows(values_only=True), start=1):
                yield n, list(row)
        finally:
            book.close()
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for n, row in enumerate(csv.reader(fh), start=1):
                yield n, row


def _date(value) -> dt.date:
    if isinstance(value, str) and len(value) == 10:  # the usual YYYY-MM-DD, without the clean-up below
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(_("日期无效：%(v)s（应为 YYYY-MM-DD）") % {"v": value}) from None


_TOO_MUCH = Decimal("1000000000000")
_FIELDS = ("transaction_id", "date", "amount", "name", "kind", "id_number", "account")


def _cells(cells: list, cols: dict[str, int]) -> list:
    """The row's cells in _FIELDS order ("" where the column is missing or the cell empty)."""
    n = len(cells)
    out = []
    for key in _FIELDS:
        i = cols.get(key)
        value = "" if i is None or i >= n else cells[i]
        out.append("" if value is None else value)
    return out


def parse_row(cells: list, cols: dict[str, int], today: dt.date) -> dict:
    tid, day, raw, name, kind_text, id_number, account = _cells(cells, cols)
    tid = str(tid).strip()
    if not tid:
        raise ValueError(_("流水号为空"))
    if len(tid) > 64:
        raise ValueError(_("流水号超过64个字符"))
    day = _date(day)
    if day > today:
        raise ValueError(_("日期 %(d)s 晚于今天") % {"d": day})
    try:
        amount = money(Decimal(str(raw).replace(",", "").replace("¥", "").strip()))
    except (InvalidOperation, ValueError):
        raise ValueError(_("金额无效：%(v)s") % {"v": raw}) from None
    if not amount.is_finite():  # "NaN" passes Decimal() and quantize, and then cannot be compared
        raise ValueError(_("金额无效：%(v)s") % {"v": raw})
    if amount <= 0:
        raise ValueError(_("金额必须大于零：%(v)s") % {"v": raw})
    if amount >= _TOO_MUCH:
        raise ValueError(_("金额过大：%(v)s") % {"v": raw})
    name = str(name).strip()[:100]
    kind_text = str(kind_text).strip()
    if kind_text not in KINDS:
        raise ValueError(_("捐赠人类型应为“个人”或“单位”：%(v)s") % {"v": kind_text})
    kind = KINDS[kind_text]
    id_number = str(id_number).strip().upper()[:20]
    account = str(account).strip()[:60]
    if "\x00" in tid or "\x00" in name or "\x00" in id_number or "\x00" in account:
        raise ValueError(_("含有空字符（\\0），无法保存"))
    anonymous = not name or name in ("匿名", "匿名捐赠")
    key = f"id:{id_number}" if id_number else f"acct:{account}" if account else f"{kind}:{name}"
    return {
        "tid": tid,
        "day": day,
        "amount": amount,
        "name": name,
        "kind": kind,
        "id_number": id_number,
        "key": key,
        "anonymous": anonymous,
    }


STAGE = "charity_statement_stage"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value in COPY's text format (tabs, newlines and backslashes escaped; None is \\N)."""
    if value is None:
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_line(row: int, r: dict) -> str:
    """One staged row in COPY's text format: the free texts escaped (looked at
    once, all four together: escaping is rare), the rest (a row number, an ISO
    date, a Decimal, a kind from KINDS, a boolean) needs none."""
    texts = (r["tid"], r["name"], r["id_number"], r["key"])
    if _COPY_SPECIAL.search("".join(texts)):
        texts = tuple(t.translate(_COPY_ESCAPES) for t in texts)
    tid, name, id_number, key = texts
    anonymous = "t" if r["anonymous"] else "f"
    return (
        f"{row}\t{tid}\t{r['day'].isoformat()}\t{r['amount']}\t{name}\t{r['kind']}\t{id_number}\t{key}\t{anonymous}\n"
    )


def _insert_chunk(
    *, org: Organisation, lines: list[str], campaign_id, fund_id, project_id, actor_id
) -> tuple[int, int]:
    """The chunk's good rows (COPY lines, see _copy_line) COPYed into a temporary
    table, then two set-based statements: donors upserted; donations inserted in
    file order, each finding its donor by one probe of the (organisation, key)
    index rather than a scan of all the organisation's donors (ON CONFLICT on
    the statement's transaction id: nothing twice, a repeat within the chunk
    included), with their ledger entries in the same statement (the ledger's
    statement-level trigger adds the whole chunk to the per-pot totals once)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMP TABLE IF NOT EXISTS {STAGE} (row integer, tid text, day date, amount numeric(14, 2),
                name text, kind text, id_number text, key text, anonymous boolean) ON COMMIT DELETE ROWS"""
        )
        cursor.cursor.copy_expert(f"COPY {STAGE} FROM STDIN", io.StringIO("".join(lines)))
        cursor.execute(
            f"""INSERT INTO {Donor._meta.db_table} (organisation_id, kind, name, id_number, phone, key)
                SELECT DISTINCT ON (key) %s, kind, name, id_number, '', key FROM {STAGE}
                WHERE NOT anonymous ORDER BY key, row
                ON CONFLICT (organisation_id, key) DO NOTHING""",
            [org.pk],
        )
        cursor.execute(
            f"""WITH made AS (
                    INSERT INTO {Donation._meta.db_table}
                        (organisation_id, donor_id, anonymous, kind, item, amount, received_on, campaign_id, fund_id,
                         project_id, transaction_id, receipt_declined, entered_by_id, created_at)
                    SELECT %(org)s,
                           CASE WHEN NOT s.anonymous THEN (SELECT dn.id FROM {Donor._meta.db_table} dn
                                                            WHERE dn.organisation_id = %(org)s AND dn.key = s.key)
                           END,
                           s.anonymous, 'money', '', s.amount, s.day, %(campaign)s, %(fund)s, %(project)s, s.tid,
                           false, %(actor)s, now()
                    FROM {STAGE} s
                    ORDER BY s.row
                    ON CONFLICT (organisation_id, transaction_id) WHERE transaction_id <> '' DO NOTHING
                    RETURNING id, amount, received_on
                ),
                entries AS (
                    INSERT INTO {LedgerEntry._meta.db_table}
                        (organisation_id, kind, amount, fund_id, project_id, campaign_id, donation_id, entered_on,
                         reason, created_by_id, created_at)
                    SELECT %(org)s, 'donation', amount, %(fund)s, %(project)s, %(campaign)s, id, received_on,
                           '流水导入', %(actor)s, now()
                    FROM made
                    RETURNING 1
                )
                SELECT count(*) FROM entries""",
            {"org": org.pk, "campaign": campaign_id, "fund": fund_id, "project": project_id, "actor": actor_id},
        )
        added = cursor.fetchone()[0]
        cursor.execute(f"TRUNCATE {STAGE}")
    return added, len(lines) - added


def statement_start(*, user, org: Organisation, path: str, filename: str, campaign=None) -> BatchRun:
    run = batchrun_create(
        kind=STATEMENT_KIND,
        params={"org": org.pk, "path": path, "filename": filename[:200], "campaign": campaign.pk if campaign else None},
        user=user,
    )
    audit_record(actor=user, action=AuditEvent.Action.IMPORT, target=run, region_code=org.region_id,
                 changes={"kind": "charity_statement", "filename": filename})  # fmt: skip
    return run


def _chunks(path: str, *, skip: int, today: dt.date):
    """The file's rows parsed and checked, in chunks: (good COPY lines, bad rows, rows seen so far).
    Pure Python (no database): it may run in a thread of its own.  The first
    `skip` non-blank rows (done by an earlier attempt) are skipped."""
    cols = None
    good: list[str] = []
    bad: list[dict] = []
    seen = 0
    for n, cells in _rows(path):
        if cols is None:
            cols = _header_map(cells)
            continue
        if not any(str(c or "").strip() for c in cells):
            continue
        seen += 1
        if seen <= skip:
            continue
        try:
            good.append(_copy_line(n, parse_row(cells, cols, today)))
        except ValueError as exc:
            bad.append({"row": n, "reason": str(exc)})
        if len(good) + len(bad) >= IMPORT_CHUNK:
            yield good, bad, seen
            good, bad = [], []
    if cols is None:
        raise DomainError(_("流水文件为空。"))
    yield good, bad, seen  # the rows seen in all, even when the file ended on a chunk's boundary


def _ahead(chunks):
    """Iterate `chunks` one chunk ahead in a thread: the next chunk is parsed while
    the database writes this one (the driver lets go of the GIL while it waits).
    The thread speaks the caller's language; its exceptions are raised here."""
    lang = translation.get_language()
    box: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    end = object()

    def produce():
        if lang:
            translation.activate(lang)
        else:  # the caller had translations off (source strings): so does the thread
            translation.deactivate_all()
        try:
            for item in chunks:
                while not stop.is_set():
                    try:
                        box.put(("chunk", item), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put(("end", end))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            box.put(("error", exc))
        finally:
            chunks.close()

    thread = threading.Thread(target=produce, name="charity-statement-parse", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = box.get()
            if kind == "error":
                raise item
            if kind == "end":
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a producer blocked on a full queue see the stop
            try:
                box.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


class _Abandoned(Exception):
    """The chunk before this one did not commit: this one rolls back too."""


class _Slot:
    """One chunk's transaction on a connection of its own: `written` once its
    statements are done (it is committing), `done` once it has committed or
    rolled back, `ok` if it committed."""

    def __init__(self) -> None:
        self.written = threading.Event()
        self.done = threading.Event()
        self.ok = False
        self.error: BaseException | None = None


def _chunk_in_thread(slot: _Slot, before: _Slot | None, write) -> None:
    """Run write() in a transaction of this thread's own connection.  It starts
    only once the chunk before has written (so that chunk never waits for this
    one: no deadlock, and the file's first copy of a transaction id is the one
    kept), and commits only after the chunk before has committed (so progress
    is always a prefix of the file: a resumed run skips exactly what is in)."""
    try:
        if before is not None:
            before.written.wait()
            if before.done.is_set() and not before.ok:  # it failed before it wrote: no need to write this one
                raise _Abandoned
        with transaction.atomic():
            write()
            slot.written.set()
            if before is not None:
                before.done.wait()
                if not before.ok:
                    raise _Abandoned
        slot.ok = True
    except BaseException as exc:  # noqa: BLE001 - the caller raises it
        slot.error = exc
    finally:
        slot.written.set()
        slot.done.set()
        connection.close()


def statement_import(*, run_id: int, progress=None) -> dict:
    """Stream the run's file in chunks of IMPORT_CHUNK rows, each chunk in its
    own transaction; a resumed run skips the rows already done (and the
    transaction ids make any overlap harmless).  The next chunk is parsed in a
    thread meanwhile, and (outside a caller's transaction) written on a second
    connection while the one before commits: a commit runs the database's
    foreign-key checks of every row, about half of a chunk's time."""
    from civil_affairs.clock import today

    from .models import Campaign

    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    org = Organisation.objects.get(pk=run.params["org"])
    campaign = Campaign.objects.filter(pk=run.params.get("campaign"), organisation=org).first()
    fund_id = project_id = None
    if campaign is not None:
        fund_id, project_id = (None, campaign.project_id) if campaign.project_id else (campaign.fund_id, None)
    actor_id = run.created_by_id
    counts = dict(run.result.get("counts", {}))
    BatchRun.objects.filter(pk=run_id).update(status=BatchRun.Status.RUNNING)

    def write(good: list[str], bad: list[dict]) -> None:
        added = dupes = 0
        if good:
            added, dupes = _insert_chunk(
                org=org, lines=good, campaign_id=campaign.pk if campaign else None, fund_id=fund_id,
                project_id=project_id, actor_id=actor_id,
            )  # fmt: skip
        counts["added"] = counts.get("added", 0) + added
        counts["duplicates"] = counts.get("duplicates", 0) + dupes
        counts["bad"] = counts.get("bad", 0) + len(bad)
        # the run's row locked first: batchrun_progress then reads the errors the chunk before has committed
        BatchRun.objects.select_for_update().filter(pk=run_id).values_list("pk", flat=True).get()
        batchrun_progress(run_id=run_id, done=len(good) + len(bad), errors=bad)
        BatchRun.objects.filter(pk=run_id).update(result={**run.result, "counts": dict(counts)})

    in_flight: list[tuple[_Slot, threading.Thread, int]] = []

    def settle(slot: _Slot, thread: threading.Thread, seen: int) -> None:
        thread.join()
        if slot.error is not None:
            raise slot.error
        if progress:
            progress(seen)

    seen = 0
    try:
        for good, bad, seen in _ahead(_chunks(run.params["path"], skip=run.done, today=today())):
            if not good and not bad:  # nothing left: the file ended on a chunk's boundary, or a resumed run is done
                continue
            if connection.in_atomic_block:  # the caller's transaction: everything on its connection, in order
                with transaction.atomic():
                    write(good, bad)
                if progress:
                    progress(seen)
                continue
            slot = _Slot()
            before = in_flight[-1][0] if in_flight else None
            thread = threading.Thread(target=_chunk_in_thread, args=(slot, before, lambda g=good, b=bad: write(g, b)))
            thread.start()
            in_flight.append((slot, thread, seen))
            if len(in_flight) == 2:  # at most two transactions: one committing, one writing
                settle(*in_flight.pop(0))
        while in_flight:
            settle(*in_flight.pop(0))
    except DomainError as exc:  # no header, or an empty file
        batchrun_finish(run_id=run_id, failed=True, message=str(exc))
        raise
    finally:
        for _slot, thread, _seen in in_flight:  # a failure: the chunk after it rolls back (_Abandoned)
            thread.join()
    BatchRun.objects.filter(pk=run_id).update(total=seen, done=seen)
    message = _("流水导入：新增 %(a)d 笔，已存在 %(d)d 笔（按流水号去重，未重复入账），错误 %(b)d 行。") % {
        "a": counts.get("added", 0),
        "d": counts.get("duplicates", 0),
        "b": counts.get("bad", 0),
    }
    batchrun_finish(run_id=run_id, message=message)
    return counts
