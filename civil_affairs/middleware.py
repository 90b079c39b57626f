"""Keeps the current request where services can read who and from where,
so the audit log is complete without threading `request` through every call."""

from __future__ import annotations

from contextvars import ContextVar

_request: ContextVar = ContextVar("minzheng_request", default=None)


def current_request():
    return _request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
