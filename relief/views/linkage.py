"""Placeholder while being written (replaced in this change)."""
from django.http import Http404


def linkage_index(request):
    raise Http404


def roll_detail(request, pk):
    raise Http404


def roll_approve(request, pk):
    raise Http404


def roll_bank_file(request, pk, fmt):
    raise Http404
