"""Name search in the catalogue: `q` on /models/ and /api/hub/repositories/, through selectors.repository_list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.hub import selectors
from apps.hub.models import HubRepository
from tests.hub import factories

pytestmark = pytest.mark.django_db


def make_catalogue():
    factories.catalogue(factories.owner("HiTZ"), [
        factories.remote("HiTZ/Latxa-7b", downloads=50, languages=("eu",)),
        factories.remote("HiTZ/latxa-corpus", kind="dataset", languages=("eu",)),
        factories.remote("HiTZ/ixa-ehu-tagger", downloads=5, languages=("eu", "es")),
    ])
    factories.catalogue(factories.owner("bsc-lt"), [
        factories.remote("bsc-lt/whisper-eu", downloads=30, languages=("eu",)),
        factories.remote("bsc-lt/whisper-es", downloads=20, languages=("es",)),
        factories.remote("bsc-lt/latxa-ca", downloads=10, languages=("ca",)),
        factories.remote("bsc-lt/salamandra_100", downloads=1, languages=("es",)),
    ])


def repo_ids(response):
    return [r.repo_id for r in response.context["page"].object_list]


def test_catalogue_matches_part_of_the_repo_id_in_any_case(client):
    make_catalogue()
    assert repo_ids(client.get("/models/", {"q": "latxa"})) == ["HiTZ/Latxa-7b", "bsc-lt/latxa-ca"]
    assert repo_ids(client.get("/models/", {"q": "  LATXA  "})) == ["HiTZ/Latxa-7b", "bsc-lt/latxa-ca"]
    assert repo_ids(client.get("/models/", {"q": "whisper-e"})) == ["bsc-lt/whisper-eu", "bsc-lt/whisper-es"]
    assert repo_ids(client.get("/models/", {"q": "hitz/"})) == ["HiTZ/Latxa-7b", "HiTZ/ixa-ehu-tagger"]
    assert repo_ids(client.get("/models/", {"kind": "dataset", "q": "latxa"})) == ["HiTZ/latxa-corpus"]
    # LIKE wildcards are literal characters, not patterns
    assert repo_ids(client.get("/models/", {"q": "_100"})) == ["bsc-lt/salamandra_100"]
    assert repo_ids(client.get("/models/", {"q": "%"})) == []
    assert repo_ids(client.get("/models/", {"q": "   "})) == repo_ids(client.get("/models/"))


def test_search_combines_with_language_filter_and_sort(client):
    make_catalogue()
    assert repo_ids(client.get("/models/", {"q": "latxa", "language": "eu"})) == ["HiTZ/Latxa-7b"]
    assert repo_ids(client.get("/models/", {"q": "whisper", "language": "es"})) == ["bsc-lt/whisper-es"]
    assert repo_ids(client.get("/models/", {"q": "latxa", "owner": "bsc-lt"})) == ["bsc-lt/latxa-ca"]
    by_recent = selectors.repository_list(q="WHISPER", sort="likes")
    assert {r.repo_id for r in by_recent} == {"bsc-lt/whisper-eu", "bsc-lt/whisper-es"}


def test_search_box_keeps_the_query_in_the_form_and_pagination_links(client, monkeypatch):
    monkeypatch.setattr("apps.hub.views.PAGE_SIZE", 1)
    make_catalogue()
    html = client.get("/models/", {"q": "whisper", "language": "", "sort": "downloads"}).content.decode()
    assert '<label for="f-q">' in html and 'name="q" value="whisper"' in html
    assert "q=whisper" in html and "page=2" in html
    second = client.get("/models/", {"q": "whisper", "page": 2})
    assert repo_ids(second) == ["bsc-lt/whisper-es"]
    spanish = client.get("/models/", {"q": "x"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Buscar por nombre" in spanish


def test_nul_bytes_and_overlong_queries_never_fail(client):
    make_catalogue()
    assert repo_ids(client.get("/models/", {"q": "lat\x00xa"})) == ["HiTZ/Latxa-7b", "bsc-lt/latxa-ca"]
    response = client.get("/models/?q=%00")
    assert response.status_code == 200 and len(repo_ids(response)) == 6
    overlong = client.get("/models/", {"q": "latxa" + "x" * 500, "language": "eu"})
    assert overlong.status_code == 200 and repo_ids(overlong) == []
    assert overlong.context["filters"]["q"] == ("latxa" + "x" * 500)[:100]
    assert overlong.context["filters"]["language"] == "eu"  # the other filters still apply
    assert selectors.clean_search(" a\x00b " + "c" * 200) == ("ab " + "c" * 200)[:100]
    api = APIClient()
    assert api.get("/api/hub/repositories/?q=a%00b").status_code == 400
    refused = api.get("/api/hub/repositories/", {"q": "x" * 101})
    assert refused.status_code == 400 and set(refused.data["errors"]) == {"q"}


def test_api_searches_by_name_with_the_other_filters():
    make_catalogue()
    api = APIClient()
    assert api.get("/api/hub/repositories/", {"q": "LATXA"}).data["count"] == 3  # models and datasets
    found = api.get("/api/hub/repositories/", {"q": "LATXA", "kind": "model"}).data
    assert found["count"] == 2 and [r["repo_id"] for r in found["results"]] == ["HiTZ/Latxa-7b", "bsc-lt/latxa-ca"]
    basque = api.get("/api/hub/repositories/", {"q": "whisper-e", "language": "eu"}).data["results"]
    assert [r["repo_id"] for r in basque] == ["bsc-lt/whisper-eu"]
    assert api.get("/api/hub/repositories/", {"q": "latxa", "kind": "dataset"}).data["count"] == 1
    assert api.get("/api/hub/repositories/", {"q": "", "kind": "model"}).data["count"] == 6


@pytest.mark.parametrize("size", [3, 12])
def test_search_does_not_change_the_query_count(client, django_assert_num_queries, size):
    factories.catalogue(factories.owner("bsc-lt"), [factories.remote(f"bsc-lt/modelo-{i}") for i in range(size)])
    with django_assert_num_queries(4):  # count, page, the facets, generations (once for page and fragment): as without `q`
        response = client.get("/models/", {"q": "MODELO", "language": "es"})
    assert len(response.context["page"].object_list) == size
    with django_assert_num_queries(3):
        assert APIClient().get("/api/hub/repositories/", {"q": "modelo"}).data["count"] == size


def test_postgresql_name_search_can_use_the_trigram_index():
    """The lookup the selector filters with compiles to an expression the GIN index covers.

    The test table is tiny, so plain scans are switched off: the only plan left for the
    name condition is a bitmap scan, possible only through hub_repo_id_trgm_idx."""
    make_catalogue()
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = HubRepository.objects.filter(repo_id__icontains="latxa").order_by().explain()
    assert "Bitmap Index Scan on hub_repo_id_trgm_idx" in plan, plan
    assert "upper((repo_id)::text) ~~ '%LATXA%'::text" in plan


def test_a_search_counts_its_four_facets_from_one_scan_of_the_trigram_index():
    """One statement for owners, languages, tasks and licences: a search nobody made before
    pays for finding its repositories once, not once per facet."""
    make_catalogue()
    with CaptureQueriesContext(connection) as queries:
        facets = selectors._catalogue_facets(kind="model", q="LATXA")
    assert len(queries) == 1
    assert dict(facets["owners"]) == {"HiTZ": 1, "bsc-lt": 1}
    assert dict(facets["languages"]) == {"es": 0, "ca": 1, "eu": 1, "gl": 0}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert len(re.findall(r"Scan(?: using \S+)? on hub_hubrepository\b", plan)) == 1, plan
    assert "downloads" not in plan, plan  # no ordering to pay for
