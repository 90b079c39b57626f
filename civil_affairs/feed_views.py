"""Data-exchange feed imports (比对数据导入) at /work/feeds/: the upload form,
every registered kind's column layout with its sample file, and the recent
import runs.  The import runs as a Celery task (civil_affairs.feeds); its
progress, errors and error file are on the batch page."""

from __future__ import annotations

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from . import feeds as services
from .forms import BootstrapMixin
from .permissions import require
from .selectors import batchrun_list_for_user
from .services import DomainError

RECENT_RUNS = 20


class FeedUploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("数据类别"))
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GBK）或 Excel .xlsx，第一行为列名，不超过 200 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, kind.label) for k, kind in services.feed_kinds().items()]


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
    kinds = services.feed_kinds()
    layouts = [
        {"kind": k, "label": kind.label, "columns": [(c, c in kind.optional) for c in kind.columns]}
        for k, kind in kinds.items()
    ]
    runs = [
        {
            "run": run,
            "label": kinds[run.params["kind"]].label if run.params.get("kind") in kinds else run.params.get("kind"),
            "counts": run.result.get("counts", {}),
        }
        for run in batchrun_list_for_user(request.user).filter(kind=services.KIND)[:RECENT_RUNS]
    ]
    return render(request, "workbench/feeds.html", {"form": form, "layouts": layouts, "runs": runs})


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
