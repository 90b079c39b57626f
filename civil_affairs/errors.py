"""The error every rule raises, and how the API answers it.

`DomainError` is part of the core's public API for areas: a service raises it
with a message for the person who asked; pages show the message, and the one
DRF exception handler below turns it into HTTP 400 {"detail": message}, so no
API view wraps service calls by hand."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


class DomainError(Exception):
    """A rule says no; the message is for the person who asked."""


def api_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF's own, plus DomainError → 400."""
    if isinstance(exc, DomainError):
        set_rollback()  # as DRF does for its own errors, should the request run in a transaction
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
