"""Spreadsheet exports: Excel (openpyxl write-only) and CSV, both in constant memory."""
from __future__ import annotations

import csv
import tempfile
from typing import Iterable, Sequence

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

MAX_EXPORT_ROWS = 200_000


def xlsx_response(*, filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence]) -> FileResponse:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append([str(h) for h in headers])
    for n, row in enumerate(rows):
        if n >= MAX_EXPORT_ROWS:
            break
        worksheet.append(list(row))
    tmp = tempfile.TemporaryFile()
    workbook.save(tmp)
    tmp.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(tmp, as_attachment=True, filename=f"{filename}-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class _Echo:
    def write(self, value):
        return value


def csv_response(*, filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Streamed CSV that Excel opens as UTF-8 (with a BOM)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow([str(h) for h in headers])
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
