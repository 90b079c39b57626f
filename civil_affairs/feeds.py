"""Data-exchange feeds (数据比对) in the core: kinds registered by the core
and the areas (areas.FeedKind), one documented column layout per kind
(docs/feeds/README.md, a sample file per kind), imported into FeedRecord —
or, for a kind that is not about persons (an area's `store`), into the area's
own table.

A file (CSV in UTF-8 or GBK, or Excel .xlsx) is streamed in chunks of
CHUNK_ROWS rows.  Each chunk is one transaction: its rows are parsed by the
kind's parser, the good ones go in with one `INSERT … SELECT FROM unnest(…)
ON CONFLICT DO NOTHING`, the bad ones are recorded with their spreadsheet row
number and the reason in Chinese (ID numbers masked), and the run's progress
and counts move on with them.  New rows of a kind with a `life_event` raise
it for the people they name (civil_affairs.life_events.
life_events_record_many) in the same transaction: every area's handler runs
with the chunk.  So importing a file twice adds nothing and raises nothing,
and a run restarted after a killed worker skips the rows it had finished and
ends with the same rows and counts as an uninterrupted one.

The core's own kind is `death` (its life event records Person.death_date).
The import is the core batch kind KIND (civil_affairs.batches.CORE_BATCH_KINDS),
started from /work/feeds/ or `manage.py import_feed KIND FILE`."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import areas, clock
from .areas import AreaConflict, FeedKind, FeedRow, FeedRowError
from .batches import FEED_COUNT_LABELS, analyze, batchrun_enqueue, run_exclusive
from .life_events import life_events_record_many
from .models import AuditEvent, BatchRun, FeedRecord, Person, Region
from .permissions import has_capability
from .rules import IdNumberError, mask_id_number, parse_id_number
from .services import (
    DomainError,
    audit_record,
    batchrun_create,
    batchrun_finish,
    batchrun_progress,
    batchrun_started,
    keep_upload,
)

KIND = "feed_import"  # BatchRun.kind of an import (a core batch kind: civil_affairs.batches.CORE_BATCH_KINDS)
CAPABILITY = "feed_import"  # who may import (civil_affairs.permissions.CAPABILITIES)
CHUNK_ROWS = 5_000  # rows per transaction and per progress step
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
FORMATS = ("csv", "xlsx")
SAMPLE_DIR = Path(settings.BASE_DIR) / "docs" / "feeds"

COUNT_LABELS = FEED_COUNT_LABELS

Progress = Callable[[int, int], None]  # (rows done, rows in all)

__all__ = ["Cells", "FeedKind", "FeedRow", "FeedRowError", "feed_kinds", "feed_import_file", "feed_import_start"]


class _Unreadable(DomainError):
    """The file cannot be imported at all (format, encoding, columns): the run
    fails with this message, nothing to retry until the file is fixed."""


# ---------------------------------------------------------------- reading files


@dataclass
class _Table:
    header: list[str]
    rows: Iterator[tuple]  # data rows after the header, in file order
    total: int  # data rows, for the progress bar (may over-count: blank lines, multi-line cells)


def _csv_encoding_and_lines(path: str) -> tuple[str, int]:
    """The file's encoding, UTF-8 or else GB18030 (Excel on Chinese Windows
    saves CSV as GBK), and its line count, in one pass over the bytes (two
    for GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        lines, last = 0, b""
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    decoder.decode(block)
                    lines += block.count(b"\n")
                    last = block[-1:]
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines + (1 if last not in (b"", b"\n") else 0)
    raise _Unreadable(_("文件编码无法识别，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新上传。"))


def _cell(value: Any) -> str | dt.date:
    """A spreadsheet cell as text, or a date for Excel date cells."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float):
        # Excel stores digit columns (region codes, amounts) as numbers.
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value).strip()


def _csv_rows(reader) -> Iterator[tuple]:
    try:
        for row in reader:
            yield tuple(row)
    except csv.Error as exc:  # e.g. a NUL byte: the rest of the file cannot be read
        raise _Unreadable(
            _("CSV 文件第 %(n)d 行附近格式错误（%(e)s），之前的行已导入。") % {"n": reader.line_num, "e": exc}
        ) from None


@contextmanager
def _open_table(path: str) -> Iterator[_Table]:
    ext = path.rsplit(".", 1)[-1].lower()
    if not Path(path).is_file():
        raise _Unreadable(_("找不到导入文件 %(p)s。") % {"p": Path(path).name})
    if ext == "csv":
        encoding, lines = _csv_encoding_and_lines(path)
        with open(path, newline="", encoding=encoding) as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise _Unreadable(_("文件为空：第一行应为列名。")) from None
            except csv.Error as exc:
                raise _Unreadable(_("CSV 文件格式错误：%(e)s") % {"e": exc}) from None
            yield _Table(header=header, rows=_csv_rows(reader), total=max(lines - 1, 0))
    elif ext == "xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zip/XML errors of a damaged or mislabelled file
            raise _Unreadable(_("Excel 文件无法打开（%(e)s），请确认是 .xlsx 格式。") % {"e": exc}) from None
        try:
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                raise _Unreadable(_("文件为空：第一行应为列名。"))
            yield _Table(header=[_cell(h) for h in header], rows=rows, total=max((sheet.max_row or 1) - 1, 0))
        finally:
            book.close()
    else:
        raise _Unreadable(_("只接受 CSV 或 Excel（.xlsx）文件。"))


# ---------------------------------------------------------------- validating rows

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_EARLIEST = dt.date(1900, 1, 1)
FEN = Decimal("0.01")


class Cells:
    """One row's cells with typed getters for a FeedKind's parser; each
    getter records a reason (naming the column and the value) instead of
    raising, so a row reports all its problems at once; `check()` then raises
    FeedRowError with them all.

        def parse(values):
            row = Cells(values)
            number, name = row.id_number(), row.name()
            day = row.date("death_date", not_before=row.birth)
            row.check()
            return FeedRow(number, name, "death", day)
    """

    def __init__(self, values: dict[str, Any], today: dt.date | None = None):
        self.values, self.today, self.errors = values, today or clock.today(), []
        self.birth: dt.date | None = None

    def check(self) -> None:
        """FeedRowError with every reason recorded, if any."""
        if self.errors:
            raise FeedRowError("；".join(self.errors))

    def name(self) -> str:
        """The optional `name` column (at most 50 characters)."""
        return self.text("name", max_length=50, required=False)

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(_("列 %(col)s：%(reason)s") % {"col": column, "reason": reason})

    def text(self, column: str, *, max_length: int, required: bool = True) -> str:
        value = self.values.get(column, "")
        value = value.isoformat() if isinstance(value, dt.date) else " ".join(str(value).split())
        if not value and required:
            self.fail(column, _("不能为空"))
        elif len(value) > max_length:
            self.fail(column, _("“%(v)s…”过长，最多 %(n)d 个字") % {"v": value[:20], "n": max_length})
        return value

    def id_number(self) -> str | None:
        raw = str(self.values.get("id_number", "")).strip().upper()
        if not raw:
            self.fail("id_number", _("不能为空"))
            return None
        try:
            info = parse_id_number(raw, today=self.today)
        except IdNumberError as exc:
            # The error file is kept and shown: a full-length number is masked.
            shown = mask_id_number(raw) if len(raw) == 18 else raw[:20]
            self.fail("id_number", _("“%(v)s”：%(e)s") % {"v": shown, "e": exc})
            return None
        self.birth = info.birth_date
        return info.number

    def date(
        self, column: str, *, not_before: dt.date | None = None, required: bool = True, future: bool = False
    ) -> dt.date | None:
        """A date column; `future` allows dates after today (an expected end), an
        empty optional column gives None."""
        value = self.values.get(column, "")
        if not isinstance(value, dt.date):
            if not value:
                if required:
                    self.fail(column, _("不能为空"))
                return None
            match = _DATE.match(value) or _DATE_COMPACT.match(value)
            try:
                value = dt.date(*(int(g) for g in match.groups())) if match else None
            except ValueError:
                value = None
            if value is None:
                self.fail(column, _("日期“%(v)s”无效，应为 YYYY-MM-DD（例如 2026-10-08）") % {"v": self.values[column]})
                return None
        if value > self.today and not future:
            self.fail(column, _("日期 %(v)s 晚于今天") % {"v": value.isoformat()})
        elif value < (not_before or _EARLIEST):
            self.fail(
                column,
                _("日期 %(v)s 早于 %(min)s，不合理")
                % {"v": value.isoformat(), "min": (not_before or _EARLIEST).isoformat()},
            )
        else:
            return value
        return None

    def month(self, column: str) -> dt.date | None:
        """The first of the month; a month after the current one is refused."""
        value = self.values.get(column, "")
        if isinstance(value, dt.date):
            value = value.replace(day=1)
        elif not value:
            self.fail(column, _("不能为空"))
            return None
        else:
            match = _MONTH.match(value) or _MONTH_COMPACT.match(value) or _DATE.match(value)
            try:
                value = dt.date(int(match.group(1)), int(match.group(2)), 1) if match else None
            except ValueError:
                value = None
            if value is None:
                self.fail(column, _("月份“%(v)s”无效，应为 YYYY-MM（例如 2026-10）") % {"v": self.values[column]})
                return None
        if value > self.today.replace(day=1):
            self.fail(column, _("月份 %(v)s 晚于本月") % {"v": value.strftime("%Y-%m")})
        elif value < _EARLIEST:
            self.fail(column, _("月份 %(v)s 不合理") % {"v": value.strftime("%Y-%m")})
        else:
            return value
        return None

    def decimal(
        self,
        column: str,
        *,
        required: bool = True,
        negative: bool = False,
        limit: Decimal = Decimal("1e12"),
        what: Any = None,
    ) -> Decimal | None:
        """A money-like figure: at most two decimals, ≥ 0 unless `negative`."""
        raw = self.values.get(column, "")
        text = str(raw).replace(",", "").replace("，", "").strip()
        if not text:
            if required:
                self.fail(column, _("不能为空"))
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            problem = _("“%(v)s”不是有效的%(what)s")
        elif value < 0 and not negative:
            problem = _("%(what)s %(v)s 不能为负数")
        elif abs(value) >= limit:
            problem = _("%(what)s %(v)s 超出合理范围")
        elif value != value.quantize(FEN):
            problem = _("%(what)s %(v)s 最多保留两位小数")
        else:
            return value.quantize(FEN)
        # Messages are translated only for bad rows: this runs for every row of big files.
        self.fail(column, problem % {"v": raw, "what": what or _("金额")})
        return None


# ---------------------------------------------------------------- the kinds


@functools.cache
def city_prefixes() -> frozenset[str]:
    """The first four digits of the cities in the region table (a move whose
    destination code starts otherwise leaves the city).  Read once per import
    run (cleared when a run starts)."""
    codes = Region.objects.filter(level=Region.Level.CITY).values_list("code", flat=True)
    return frozenset(code[:4] for code in codes)


def parse_death(values: dict[str, Any]) -> FeedRow:
    """The core's death feed (死亡登记): id_number, name (optional), death_date."""
    row = Cells(values)
    number = row.id_number()
    name = row.name()
    day = row.date("death_date", not_before=row.birth)
    row.check()
    return FeedRow(number, name, "death", day)


CORE_FEED_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        "death",
        gettext_lazy("死亡登记"),
        ("id_number", "name", "death_date"),
        parse_death,
        life_event="death",
    ),
)

_KINDS: tuple[int, dict[str, FeedKind]] | None = None


def feed_kinds() -> dict[str, FeedKind]:
    """Every feed kind, the core's first, then the areas' in menu order (AreaConflict for a key claimed twice)."""
    global _KINDS
    if _KINDS is None or _KINDS[0] != areas.generation():
        found: dict[str, FeedKind] = {}
        for kind in [*CORE_FEED_KINDS, *(k for area in areas.registered() for k in area.feed_kinds)]:
            if kind.key in found:
                raise AreaConflict(f"feed kind {kind.key!r} is registered twice")
            if not re.fullmatch(r"[a-z_]{1,12}", kind.key):
                raise AreaConflict(f"feed kind key {kind.key!r} must be 1-12 lowercase letters or '_'")
            found[kind.key] = kind
        _KINDS = (areas.generation(), found)
    return _KINDS[1]


def feed_kind(key: str) -> FeedKind:
    """The registered kind, or a DomainError listing the kinds there are."""
    kinds = feed_kinds()
    if key not in kinds:
        raise DomainError(
            _("未知的数据类别“%(k)s”，可选：%(kinds)s。")
            % {"k": key, "kinds": "、".join(f"{k}（{kind.label}）" for k, kind in kinds.items())}
        )
    return kinds[key]


def sample_path(kind: FeedKind) -> Path:
    return Path(settings.BASE_DIR) / kind.sample if kind.sample else SAMPLE_DIR / f"{kind.key}.csv"


def _columns(kind: FeedKind, header: list) -> dict[str, int]:
    """Column name → position, or _Unreadable naming the missing columns."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        name = str(name).strip().lstrip("\ufeff").lower()
        positions.setdefault(name, i)
    wanted = kind.columns
    missing = [c for c in wanted if c not in positions and c not in kind.optional]
    if missing:
        optional = [c for c in wanted if c in kind.optional]
        raise _Unreadable(
            _("缺少必需的列：%(missing)s。%(label)s文件第一行应为列名：%(cols)s%(opt)s。请核对所选数据类别和文件。")
            % {
                "missing": ", ".join(missing),
                "label": kind.label,
                "cols": ", ".join(wanted),
                "opt": (_("（%(o)s 可省略）") % {"o": ", ".join(optional)}) if optional else "",
            }
        )
    return {c: positions[c] for c in wanted if c in positions}


# ---------------------------------------------------------------- writing

_F, _PERSON = FeedRecord._meta.db_table, Person._meta.db_table

# The chunk's good rows in, the new ones back with the person each names (if in the registry).
_FEED_SQL = f"""
WITH ins AS (
    INSERT INTO {_F} (kind, id_number, name, "key", event_date, amount, detail, run_id)
    SELECT %s, u.id_number, u.name, u.key, u.event_date, u.amount, u.detail, %s
    FROM unnest(%s::text[], %s::text[], %s::text[], %s::date[], %s::numeric[], %s::jsonb[])
         AS u(id_number, name, key, event_date, amount, detail)
    ON CONFLICT (kind, id_number, "key") DO NOTHING
    RETURNING id, id_number, "key", event_date
)
SELECT p.id, ins.event_date, ins.id, ins.id_number, ins.key FROM ins LEFT JOIN {_PERSON} p ON p.id_number = ins.id_number"""


def _row_tuple(row: FeedRow) -> tuple:
    return (
        row.id_number,
        row.name or "",
        row.key,
        row.event_date,
        row.amount,
        json.dumps(row.detail or {}, ensure_ascii=False, default=str),
    )


def _chunk(*, run_id: int, kind: str, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, int]:
    """Parse, insert and record progress for one chunk of (row number,
    values): one transaction, so the chunk, its life events and its progress
    land together."""
    feed = feed_kind(kind)
    parse = feed.parser
    good: list[tuple[int, Any]] = []
    errors: list[dict] = []
    blank = 0
    for number, values in rows:
        if not any(v != "" for v in values.values()):
            blank += 1  # Excel leaves empty rows at the end of a sheet
            continue
        try:
            good.append((number, parse(values)))
        except FeedRowError as exc:
            errors.append({"row": number, "reason": str(exc)})
    with transaction.atomic():
        added = events = 0
        if feed.store is not None:
            # A kind that is not about persons: the area writes its own table.
            added, refused = areas.resolve(feed.store)(run_id=run_id, rows=good)
            errors.extend(refused)
            stored = len(good) - len(refused)
        else:
            stored = len(good)
            if good:
                columns = [list(c) for c in zip(*(_row_tuple(p) for _n, p in good))]
                with connection.cursor() as cursor:
                    cursor.execute(_FEED_SQL, [kind, run_id, *columns])
                    new = cursor.fetchall()
                added = len(new)
                if feed.life_event and new:
                    quiet = {(p.id_number, p.key) for _n, p in good if not p.raises}
                    found = [r[:3] for r in new if r[0] is not None and (r[3], r[4]) not in quiet]
                    if found:
                        events = life_events_record_many(
                            kind=feed.life_event, rows=found, source="feed", run_id=run_id
                        ).count
        errors.sort(key=lambda e: e["row"])
        counts = {"added": added, "duplicates": stored - added, "bad": len(errors), "blank": blank}
        if events:
            counts["events"] = events
        run = BatchRun.objects.select_for_update().only("result").get(pk=run_id)
        kept = dict(run.result.get("counts", {}))
        for name, n in counts.items():
            kept[name] = kept.get(name, 0) + n
        # `total` was estimated from the file; never let `done` pass it.
        BatchRun.objects.filter(pk=run_id).update(
            result={**run.result, "counts": kept}, total=Greatest(F("total"), F("done") + len(rows))
        )
        batchrun_progress(run_id=run_id, done=len(rows), errors=errors)
    return counts


def _import(run: BatchRun, progress: Progress | None) -> None:
    kind = feed_kind(run.params["kind"])
    city_prefixes.cache_clear()
    with _open_table(run.params["path"]) as table:
        positions = _columns(kind, table.header)
        total = max(table.total, run.done)
        batchrun_started(run_id=run.pk, total=total)
        # Row numbers as the spreadsheet shows them: the header is row 1.
        numbered = islice(enumerate(table.rows, start=2), run.done, None)
        done = run.done
        while batch := list(islice(numbered, CHUNK_ROWS)):
            rows = [
                (number, {c: (_cell(raw[i]) if i < len(raw) else "") for c, i in positions.items()})
                for number, raw in batch
            ]
            _chunk(run_id=run.pk, kind=kind.key, rows=rows)
            done += len(batch)
            if progress is not None:
                progress(done, max(total, done))


def _summary(counts: dict[str, int], rows: int) -> str:
    message = _("共 %(n)d 行：新增 %(a)d 条，已存在 %(d)d 条（未重复导入），错误 %(b)d 行。") % {
        "n": rows,
        "a": counts.get("added", 0),
        "d": counts.get("duplicates", 0),
        "b": counts.get("bad", 0),
    }
    if counts.get("events"):
        message += _("其中 %(e)d 人的情况已通知各业务领域处理。") % {"e": counts["events"]}
    if counts.get("blank"):
        message += _("另有空行 %(e)d 行已跳过。") % {"e": counts["blank"]}
    if counts.get("bad"):
        message += _("错误行可下载明细，修改后重新导入即可（已导入的行不会重复）。")
    return message


# ---------------------------------------------------------------- services


def feed_import_run(*, run_id: int, progress: Progress | None = None) -> BatchRun:
    """What the Celery task and the command run: import the BatchRun's file,
    resuming after the rows already done.  A finished run is returned as is.
    The shared life cycle (civil_affairs.batches.run_exclusive): one worker per
    run (advisory lock keyed by the run), a second delivery leaves it be, a
    transient error is retried, an unreadable file fails the run with why."""
    run = BatchRun.objects.get(pk=run_id)
    if run.kind != KIND:
        raise DomainError(_("批处理任务 #%(id)d 不是比对数据导入任务。") % {"id": run_id})
    try:
        run_exclusive(
            run=run,
            key=run.pk,
            label=_("比对数据导入 #%(id)d") % {"id": run.pk},
            same={"path": run.params.get("path")},
            work=lambda run: _import_all(run, progress),
        )
    except DomainError:
        pass  # the run failed with its message (a file to fix); the caller reads it from the run
    return BatchRun.objects.get(pk=run.pk)


def _import_all(run: BatchRun, progress: Progress | None) -> None:
    _import(run, progress)
    kind = feed_kind(run.params["kind"])
    if kind.store is None:
        analyze(FeedRecord, *([Person] if kind.life_event == "death" else []))
    run.refresh_from_db()
    with transaction.atomic():
        BatchRun.objects.filter(pk=run.pk).update(total=F("done"))
        batchrun_finish(run_id=run.pk, message=_summary(run.result.get("counts", {}), run.done))


def _extension(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FORMATS:
        raise DomainError(_("只接受 CSV 或 Excel（.xlsx）文件，收到“%(n)s”。") % {"n": Path(name).name})
    return ext


def feed_import_start(*, user, kind: str, uploaded) -> BatchRun:
    """Keep the uploaded file outside the web root and queue its import."""
    if not has_capability(user, CAPABILITY):
        raise DomainError(_("您没有导入比对数据的权限。"))
    feed_kind(kind)
    ext = _extension(uploaded.name)
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise DomainError(_("导入文件不能超过 %(mb)d MB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if not uploaded.size:
        raise DomainError(_("文件为空。"))
    head = uploaded.read(4)
    uploaded.seek(0)
    if (ext == "xlsx") != head.startswith(b"PK\x03\x04"):
        raise DomainError(
            _("文件内容与扩展名不符：请上传 CSV 文本文件或 Excel .xlsx 文件（旧版 .xls 请先另存为 .xlsx）。")
        )
    if ext == "csv" and head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DomainError(_("这是 UTF-16（Unicode 文本）文件，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”。"))
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"kind": kind, "filename": uploaded.name[:200]}, user=user)
        keep_upload(run=run, uploaded=uploaded, ext=ext)
        audit_record(
            actor=user,
            action=AuditEvent.Action.IMPORT,
            target=run,
            region_code=run.region_id or "",
            changes={"feed": kind, "filename": uploaded.name, "size": uploaded.size},
        )
        batchrun_enqueue(run)
    return run


def feed_import_file(*, kind: str, path: str | Path, user=None, progress: Progress | None = None) -> BatchRun:
    """Import a file on the server synchronously (the management command):
    the file is read where it is, not copied."""
    feed_kind(kind)
    path = Path(path).resolve()
    _extension(path.name)
    if not path.is_file():
        raise DomainError(_("文件不存在：%(p)s") % {"p": path})
    # Feeds are city-wide: without a user the run belongs to the city, so the
    # bureau's staff see it (and its error file) in the workbench.
    region = None if user is not None else Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    run = batchrun_create(
        kind=KIND, params={"kind": kind, "filename": path.name[:200], "path": str(path)}, user=user, region=region
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.IMPORT,
        target=run,
        region_code=run.region_id or "",
        changes={"feed": kind, "filename": path.name, "size": path.stat().st_size},
    )
    return feed_import_run(run_id=run.pk, progress=progress)


def feed_sample_path(*, kind: str) -> Path:
    """The documented sample file of a kind (docs/feeds/<kind>.csv unless the kind names its own)."""
    return sample_path(feed_kind(kind))
