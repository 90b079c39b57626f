"""Placeholder while being written (replaced in this change)."""
from django.http import Http404


def task_list(request):
    raise Http404


def recheck_start(request):
    raise Http404


def task_detail(request, pk):
    raise Http404
