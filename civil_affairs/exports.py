"""Excel exports of workbench lists (openpyxl write-only: constant memory)."""
from __future__ import annotations

import tempfile
from typing import Iterable, Sequence

from django.http import FileResponse
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
