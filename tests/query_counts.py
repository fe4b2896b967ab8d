"""Query counts of a page at two sizes of its data, so an N+1 cannot creep in (STYLE.md)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import clear_worker_redis


def count_queries(client, url) -> int:
    """The queries of one request for `url`, which must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def drawn_and_shared_queries(client, url) -> tuple[int, int]:
    """(queries with nothing cached, queries once what the page shares is cached)."""
    clear_worker_redis()
    return count_queries(client, url), count_queries(client, url)


def assert_queries_do_not_grow(client, page, sizes=(3, 15)):
    """`page(n)` adds data until n items are listed and returns the URL: the page needs as
    many queries at every size, drawn afresh and shared."""
    counts = [drawn_and_shared_queries(client, page(n)) for n in sizes]
    assert len(set(counts)) == 1, dict(zip(sizes, counts))
    return counts[0]
