"""The OpenAPI schema says what the server really does: envelopes, errors, filters."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

# The body of every error answer (apps/core/api_errors.py).
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Messages per field; nested fields are joined with dots (`skills.0.level`).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "retry_after": {
            "type": "number",
            "nullable": True,
            "description": "Seconds to wait (429 only).",
        },
    },
    "required": ["message", "errors"],
}

ERROR_DESCRIPTIONS = {
    "400": _("The input or a query parameter is not valid."),
    "401": _("No valid credentials (a missing, wrong or expired token)."),
    "403": _("You may not do this."),
    "404": _("Not found, or not visible to you."),
    "409": _("The change conflicts with the current state."),
    "415": _("The body is not in a format this operation reads (see its request content types)."),
    "429": _("Too many requests; wait `retry_after` seconds."),
}


class CommunityAutoSchema(AutoSchema):
    """The project's schema rules, in one place.

    - Serializers nested in API views are named after their view: `MeApi.OutputSerializer`
      becomes the component `MeOutput`, not `Output`.
    - A GET answering a list is paginated (the default pagination class) unless its view
      says `pagination_class = None`, as DRF's generic views do.
    - Query parameters of a GET come from the view's `FilterSerializer`, validated at run
      time by `apps.core.api_filters.query_filters` (choices become enums; unknown values 400).
    - Every operation lists the error statuses it can answer (415 for a body it cannot
      read), with the error body; a view
      adds one its shape does not reveal with `extra_error_statuses = ("404",)`.
    """

    def get_serializer_name(self, serializer, direction):
        owner, _, name = type(serializer).__qualname__.rpartition(".")
        if owner:
            return owner.removesuffix("Api") + name
        return super().get_serializer_name(serializer, direction)

    def _get_paginator(self):
        if self.method != "GET":
            return None
        pagination_class = getattr(self.view, "pagination_class", api_settings.DEFAULT_PAGINATION_CLASS)
        return pagination_class() if pagination_class else None

    def get_override_parameters(self):
        filters = getattr(self.view, "FilterSerializer", None)
        if self.method == "GET" and filters is not None:
            return [filters]
        return []

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, schema=ERROR_SCHEMA, object="Error"
        )
        self.registry.register_on_missing(error)
        for code in self._error_statuses():
            responses.setdefault(code, {
                "description": str(ERROR_DESCRIPTIONS[code]),
                "content": {"application/json": {"schema": error.ref}},
            })
        return responses

    def _error_statuses(self) -> list[str]:
        writes = self.method not in ("GET", "HEAD", "OPTIONS")
        has_path_parameters = "{" in self.path
        paginated = self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
        has_query = paginated or (self.method == "GET" and getattr(self.view, "FilterSerializer", None))
        open_to_all = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        codes = []
        if writes or has_query:
            codes.append("400")
        codes.append("401")
        if writes or not open_to_all:
            codes.append("403")
        if has_path_parameters or paginated:
            codes.append("404")  # a page past the end is a 404 too
        if writes:
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")  # DRF's answer to a body without a content type it parses
        codes.append("429")
        # A view answering another error its shape does not reveal (a lookup by query that
        # finds nothing visible is a 404) names it in `extra_error_statuses`.
        codes.extend(code for code in getattr(self.view, "extra_error_statuses", ()) if code not in codes)
        return sorted(codes)
