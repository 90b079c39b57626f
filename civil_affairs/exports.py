"""Spreadsheet exports: Excel (openpyxl write-only) and CSV, both in constant memory.

Every cell, headers included, goes through `safe_cell`: a resident can type a
name such as `=HYPERLINK("http://…")`, and a spreadsheet must show it as text,
never run it (CSV/formula injection)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

MAX_EXPORT_ROWS = 200_000

# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number written as text ("-12.50" from a CSV widget) is a number, not a formula.
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value):
    """A cell value a spreadsheet shows as written: numbers, dates and empty
    cells unchanged; text that could start a formula gets a leading apostrophe."""
    if value is None or isinstance(value, (bool, int, float, Decimal, dt.date, dt.datetime, dt.time)):
        return value
    text = str(value)  # lazy translations and other objects become their text
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(v) for v in row]


def _xlsx_row(worksheet, row: Iterable) -> list:
    """openpyxl turns any str starting with "=" into a formula; strings are
    written as explicit string cells so no text ever becomes one."""
    cells = []
    for value in safe_row(row):
        cell = WriteOnlyCell(worksheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells


def xlsx_response(*, filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence]) -> FileResponse:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append(_xlsx_row(worksheet, headers))
    for n, row in enumerate(rows):
        if n >= MAX_EXPORT_ROWS:
            break
        worksheet.append(_xlsx_row(worksheet, row))
    tmp = tempfile.TemporaryFile()
    workbook.save(tmp)
    tmp.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=f"{filename}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class _Echo:
    def write(self, value):
        return value


def csv_response(*, filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Streamed CSV that Excel opens as UTF-8 (with a BOM)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow(safe_row(headers))
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
