"""Data-exchange feed imports (比对数据导入): the upload form, the column
layouts with sample files, and the recent import runs.  The import runs as a
Celery task; its progress, errors and error file are on the batch page."""

from __future__ import annotations

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from civil_affairs.forms import BootstrapMixin
from civil_affairs.permissions import require
from civil_affairs.selectors import batchrun_list_for_user
from civil_affairs.services import DomainError

from ..services import feeds as services

RECENT_RUNS = 20


class FeedUploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("数据类别"), choices=[(k, services.LABELS[k]) for k in services.LAYOUTS])
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GBK）或 Excel .xlsx，第一行为列名，不超过 200 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


@require("feed_import")
@require_http_methods(["GET", "POST"])
def feed_list(request):
    form = FeedUploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            run = services.feed_import_start(
                user=request.user, kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"]
            )
        except DomainError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("workbench:batch_detail", pk=run.pk)
    layouts = [
        {"kind": k, "label": services.LABELS[k], "columns": [(c, c in services.OPTIONAL[k]) for c in columns]}
        for k, columns in services.LAYOUTS.items()
    ]
    runs = [
        {
            "run": run,
            "label": services.LABELS.get(run.params.get("kind"), run.params.get("kind")),
            "counts": run.result.get("counts", {}),
        }
        for run in batchrun_list_for_user(request.user).filter(kind=services.KIND)[:RECENT_RUNS]
    ]
    return render(request, "relief/feeds.html", {"form": form, "layouts": layouts, "runs": runs})


@require("feed_import")
@require_GET
def feed_sample(request, kind: str):
    try:
        path = services.feed_sample_path(kind=kind)
    except DomainError:
        raise Http404 from None
    if not path.is_file():
        raise Http404
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=f"{kind}.csv", content_type="text/csv; charset=utf-8"
    )
