from functools import cached_property

from django.core.paginator import Paginator
from rest_framework import pagination, serializers

from apps.core.summaries import Summary


def _whole_number(name: str, raw: str, *, maximum: int | None = None) -> int:
    field = serializers.IntegerField(min_value=1, max_value=maximum)
    try:
        return field.run_validation(raw)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({name: error.detail}) from None


class StrictPageSize:
    """`page_size` that is not a whole number from 1 to `max_page_size` is a 400 naming it;
    DRF answers its default page instead (`?page_size=null` gave 20 rows, 1000 gave 100)."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return _whole_number(self.page_size_query_param, raw, maximum=self.max_page_size)

    def parameter_bounds(self) -> dict[str, dict]:
        return {self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size}}

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = self.parameter_bounds()
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class PageNumberPagination(StrictPageSize, pagination.PageNumberPagination):
    """Pages of 20 by default; clients may ask for up to 100 with ?page_size=. A `page` that
    is not a whole number is a 400 (DRF said 404); one past the end stays a 404."""

    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def get_page_number(self, request, paginator):
        return _whole_number(self.page_query_param, request.query_params.get(self.page_query_param, "1"))

    def parameter_bounds(self) -> dict[str, dict]:
        return {**super().parameter_bounds(), self.page_query_param: {"minimum": 1}}


def paginated(view, request, queryset, serializer_class, **kwargs):
    """One page of `queryset` in the standard envelope (count, next, previous, results); the
    serializer has the request in its context, as DRF's generic views give it."""
    kwargs.setdefault("context", {}).setdefault("request", request)
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view)
    return paginator.get_paginated_response(serializer_class(page, many=True, **kwargs).data)


def counted_by_summary(*topics: str) -> type[Paginator]:
    """A Paginator whose total comes from the summaries cache (`apps.core.summaries`).

    Counting every matching row is an aggregate over the whole table (150 ms at 100,000
    profiles), and pages of large lists would run it on every request. The count is keyed
    by the query's SQL, so each viewer tier and search has its own, and it is recomputed
    after any write to `topics`.
    """
    summary = Summary(f"page-count:{'+'.join(topics)}", topics)

    class SummaryCountedPaginator(Paginator):
        @cached_property
        def count(self):
            queryset = self.object_list
            return summary.get(queryset.count, str(queryset.query))

    return SummaryCountedPaginator


def api_pagination_counted_by_summary(*topics: str) -> type[PageNumberPagination]:
    """The API's pagination for large lists, counted through the summaries cache."""
    return type("SummaryCountedPagination", (PageNumberPagination,), {"django_paginator_class": counted_by_summary(*topics)})


class KnownCountPaginator(Paginator):
    """A Paginator for a list whose total is already known (a search that counted its
    matches with its facets), so no second COUNT(*) runs over the same rows."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


class KnownCountPagination(PageNumberPagination):
    """The API's pagination for a list whose total is already known."""

    def __init__(self, count: int):
        self.known_count = count

    def django_paginator_class(self, object_list, per_page):
        return KnownCountPaginator(object_list, per_page, count=self.known_count)
