"""One error format for the whole API: {"message": ..., "errors": {field: [...]}}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import ApplicationError


def _as_lists(detail, field: str = "") -> dict[str, list[str]]:
    """DRF's error detail as {field: [message, ...]}, nested fields joined with dots.

    `{"skills": [{}, {"level": ["…"]}]}` becomes `{"skills.1.level": ["…"]}`: readable
    messages for every nested serializer, list item and dict value, never a Python repr.
    """
    if isinstance(detail, dict):
        errors = {}
        for key, value in detail.items():
            errors.update(_as_lists(value, f"{field}.{key}" if field else str(key)))
        return errors
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {field or "non_field_errors": [str(message) for message in detail]} if detail else {}
        errors = {}
        for index, item in enumerate(detail):
            errors.update(_as_lists(item, f"{field}.{index}" if field else str(index)))
        return errors
    return {field or "non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": str(exc.message), "errors": _as_lists(exc.errors or {})}, status=exc.status_code
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": _("Some fields are not valid."), "errors": _as_lists(exc.detail)}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = {"message": str(detail), "errors": {}}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["retry_after"] = getattr(exc, "wait", None)
    return response
