"""Placeholder while being written (replaced in this change)."""
from django.http import Http404


def feed_list(request):
    raise Http404


def feed_sample(request, kind):
    raise Http404
