from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 20 by default; clients may ask for up to 100 with ?page_size=."""

    page_size_query_param = "page_size"
    max_page_size = 100


def paginated(view, request, queryset, serializer_class, **kwargs):
    """One page of `queryset` in the standard envelope (count, next, previous, results)."""
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view)
    return paginator.get_paginated_response(serializer_class(page, many=True, **kwargs).data)
