"""Query-string filters of list endpoints, validated like any other input."""

def query_filters(view, request) -> dict:
    """The view's `FilterSerializer` applied to the query string.

    An unknown choice (`?status=maybe`) or a malformed value is a 400 with the field's
    message instead of being silently ignored; the schema lists the same fields, with
    choices as enums (apps/core/api_schema.py).
    """
    filters = view.FilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data

