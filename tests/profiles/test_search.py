"""Talent search: filters, full-text, sorting, facet counts against a hand-computed
fixture, and a query count that does not depend on the page size."""

import pytest
from rest_framework.test import APIClient

from apps.profiles import selectors
from tests.accounts.factories import UserFactory
from tests.profiles.factories import make_profile


@pytest.fixture
def pool(db):
    """Five visible profiles and one hidden one; the counts below are worked out by hand."""
    return {
        "p1": make_profile(
            display_name="Ana Ruiz", headline="Speech recognition for Spanish dialects",
            region="MD", affiliation_kind="university", open_to_jobs=True,
            skills=[("nlp", 3), ("speech", 3)], languages=[("es", "native"), ("en", "professional")],
        ),
        "p2": make_profile(
            display_name="Jordi Puig", headline="Vision models for agriculture",
            region="CT", affiliation_kind="company", open_to_mentoring=True, looking_for_team=True,
            skills=[("nlp", 1), ("computer-vision", 3)],
            languages=[("ca", "native"), ("es", "native"), ("en", "professional")],
        ),
        "p3": make_profile(
            display_name="Carmen López", headline="Supercomputing operations",
            region="MD", affiliation_kind="research", open_to_collaboration=True, open_to_jobs=True,
            skills=[("hpc", 3)], languages=[("es", "native")],
        ),
        "p4": make_profile(
            display_name="Beatriz Sousa", headline="Medical imaging",
            region="XX", country="Portugal", affiliation_kind="company",
            skills=[("computer-vision", 2)], languages=[("pt", "native"), ("en", "professional")],
        ),
        "p5": make_profile(
            display_name="Unai Etxeberria", headline="Basque language models",
            region="PV", affiliation_kind="independent", looking_for_team=True,
            skills=[("nlp", 2), ("mlops", 2)], languages=[("eu", "native"), ("es", "native")],
        ),
        "hidden": make_profile(
            display_name="Oculta", visibility="hidden", region="MD", affiliation_kind="university",
            open_to_jobs=True, skills=[("nlp", 3)], languages=[("es", "native")],
        ),
    }


def counts(facet_list):
    return {option["value"]: option["count"] for option in facet_list if option["count"]}


def facets_for(viewer, **search):
    return selectors.talent_facets(viewer=viewer, search=selectors.TalentSearch(**search))


def test_facet_counts_match_the_hand_computed_fixture(pool):
    facets = facets_for(UserFactory())
    assert facets["total"] == 5
    assert counts(facets["skill"]) == {"nlp": 3, "computer-vision": 2, "speech": 1, "hpc": 1, "mlops": 1}
    assert counts(facets["language"]) == {"es": 4, "en": 3, "ca": 1, "pt": 1, "eu": 1}
    assert counts(facets["region"]) == {"MD": 2, "CT": 1, "XX": 1, "PV": 1}
    assert counts(facets["kind"]) == {"university": 1, "company": 2, "research": 1, "independent": 1}
    assert counts(facets["available"]) == {
        "open_to_jobs": 2, "open_to_collaboration": 1, "open_to_mentoring": 1, "looking_for_team": 2,
    }


def test_facet_counts_follow_the_filters(pool):
    facets = facets_for(UserFactory(), skills=["nlp"], languages=["en"])
    assert facets["total"] == 2  # Ana and Jordi
    assert counts(facets["skill"]) == {"nlp": 2, "speech": 1, "computer-vision": 1}
    assert counts(facets["language"]) == {"en": 2, "es": 2, "ca": 1}
    assert counts(facets["region"]) == {"MD": 1, "CT": 1}
    assert counts(facets["available"]) == {"open_to_jobs": 1, "open_to_mentoring": 1, "looking_for_team": 1}


def test_staff_facets_include_hidden_profiles(pool):
    facets = facets_for(UserFactory(is_staff=True))
    assert facets["total"] == 6
    assert counts(facets["skill"])["nlp"] == 4
    assert counts(facets["region"])["MD"] == 3


def test_region_and_kind_facets_count_what_ticking_them_would_add(pool):
    facets = facets_for(UserFactory(), regions=["MD"])
    assert facets["total"] == 2  # Ana and Carmen
    # Regions widen the search: the other regions keep their counts.
    assert counts(facets["region"]) == {"MD": 2, "CT": 1, "XX": 1, "PV": 1}
    assert counts(facets["kind"]) == {"university": 1, "research": 1}
    assert counts(facets["skill"]) == {"nlp": 1, "speech": 1, "hpc": 1}
    assert counts(facets["available"]) == {"open_to_jobs": 2, "open_to_collaboration": 1}

    both = facets_for(UserFactory(), regions=["MD", "CT"], affiliation_kinds=["company"])
    assert both["total"] == 1  # Jordi
    assert counts(both["region"]) == {"CT": 1, "XX": 1}  # companies per region
    assert counts(both["kind"]) == {"university": 1, "company": 1, "research": 1}  # in MD or CT


def test_facets_of_a_search_count_its_matching_rows_in_two_statements(pool, django_assert_num_queries):
    search = selectors.TalentSearch(q="vision", regions=["CT"], skills=["nlp"])
    member = UserFactory()
    # Whether the member's own profile is hidden (their counts include it), the facet keys
    # of the matches, those of the search without its region (the region facet), each
    # read through the indexes (a planner setting and its reset), and the offered skills.
    with django_assert_num_queries(8):
        facets = selectors.talent_facets(viewer=member, search=search)
    assert facets["total"] == 1
    other_member = UserFactory()
    with django_assert_num_queries(1):  # shared through the cache until a profile changes
        assert selectors.talent_facets(viewer=other_member, search=search) == facets


def handles(viewer=None, **search):
    return [p.handle for p in selectors.talent_search(viewer=viewer, search=selectors.TalentSearch(**search))]


def test_filters_combine_as_documented(pool):
    h = {key: profile.handle for key, profile in pool.items()}
    member = UserFactory()
    assert set(handles(member, skills=["nlp", "speech"])) == {h["p1"]}  # all skills
    assert set(handles(member, regions=["MD", "CT"])) == {h["p1"], h["p2"], h["p3"]}  # any region
    assert set(handles(member, affiliation_kinds=["company"])) == {h["p2"], h["p4"]}
    assert set(handles(member, availability=["looking_for_team", "open_to_mentoring"])) == {h["p2"]}
    assert set(handles(member, languages=["es", "eu"])) == {h["p5"]}


def test_full_text_search_over_name_headline_bio_and_skills(pool):
    h = {key: profile.handle for key, profile in pool.items()}
    member = UserFactory()
    assert set(handles(member, q="vision")) == {h["p2"], h["p4"]}  # headline + skill name
    assert handles(member, q="Etxeberria") == [h["p5"]]
    assert handles(member, q="supercomp") == [h["p3"]]  # prefixes
    assert set(handles(member, q="visión por computador")) == {h["p2"], h["p4"]}
    assert handles(member, q="speech spanish") == [h["p1"]]
    assert handles(member, q="LOPEZ") == [h["p3"]]  # accents and case never matter
    assert handles(member, q="Agricultúr") == [h["p2"]]
    assert handles(member, q="<script>&|!:*") == []  # operators are never passed through


def test_relevance_puts_name_matches_first_and_sorting_by_name(pool):
    h = {key: profile.handle for key, profile in pool.items()}
    member = UserFactory()
    make_profile(display_name="Zoe", bio="I once met Carmen at a conference.")
    ranked = handles(member, q="carmen")
    assert ranked[0] == h["p3"] and len(ranked) == 2
    by_name = handles(member, sort="name")
    assert by_name[:3] == [h["p1"], h["p4"], h["p3"]]  # Ana, Beatriz, Carmen


def test_a_search_matching_too_many_to_rank_lists_the_most_recent_and_says_so(pool, client, monkeypatch):
    """Past RANKED_MATCHES_MAX matches a search is ordered by recency (read from the index,
    never ranking every match); its total stays exact and the page says how it is sorted."""
    monkeypatch.setattr(selectors, "RANKED_MATCHES_MAX", 2)
    h = {key: profile.handle for key, profile in pool.items()}
    member = UserFactory()
    client.force_login(member)
    # "carmen" matches two (ranked: the name first); "es" prefixes match more than two.
    make_profile(display_name="Zoe", bio="I once met Carmen at a conference.")
    assert handles(member, q="carmen")[0] == h["p3"]
    assert b"data-sorted-by-recency" not in client.get("/talent/", {"q": "carmen"}).content

    broad = selectors.TalentSearch(q="s")
    total = selectors.talent_facets(viewer=member, search=broad)["total"]
    newest_first = list(
        selectors.talent_search(viewer=member, search=selectors.TalentSearch(q="s", sort="recent"))
    )
    assert total == len(newest_first) > 2
    listed = selectors.talent_search(viewer=member, search=broad, matches=total)
    assert [p.handle for p in listed] == [p.handle for p in newest_first]
    assert "rank" not in str(listed.query).split("ORDER BY")[1]

    page = client.get("/talent/", {"q": "s"})
    assert page.context["page"].paginator.count == total
    assert f"Ordenado por lo más reciente: tu búsqueda encuentra a {total} personas" in page.content.decode()
    api = client.get("/api/profiles/", {"q": "s"}).json()
    assert api["count"] == total
    assert [row["handle"] for row in api["results"]] == [p.handle for p in newest_first]


@pytest.mark.parametrize("logged_in", [False, True])
def test_search_api_query_count_does_not_grow_with_page_size(pool, django_assert_num_queries, logged_in):
    client = APIClient()
    if logged_in:
        client.force_login(UserFactory())
    for extra in range(6):
        make_profile(skills=[("nlp", 2)], languages=[("es", "native"), ("en", "basic")])
    # facet keys of the matching rows (which also count them, read through the indexes: a
    # planner setting and its reset), offered skills, page, skills, languages, the topics'
    # generations of the shared answer (+ the session with its member and whether the
    # member's own profile is hidden, in one statement)
    expected = 8 + (1 if logged_in else 0)
    with django_assert_num_queries(expected):
        small = client.get("/api/profiles/", {"page_size": 2, "skill": "nlp"})
    # The same search again: its total and facets come from the cache.
    with django_assert_num_queries(expected - 4):
        large = client.get("/api/profiles/", {"page_size": 50, "skill": "nlp"})
    assert len(small.json()["results"]) == 2
    assert len(large.json()["results"]) == large.json()["count"] == 9
    assert small.json()["facets"]["skill"][0]["value"] == "nlp"


def test_search_page_query_count_does_not_grow_with_results(client, pool, django_assert_num_queries):
    client.force_login(UserFactory())
    # the session with its member, unread badge and whether their own profile is hidden, the
    # shared fragment's topic generations, facet keys of the matching rows (and their count; a
    # planner setting and its reset), offered skills, page, skills, languages, organiser role
    with django_assert_num_queries(10):
        few = client.get("/talent/", {"language": "es"})
    for _ in range(25):
        make_profile(languages=[("es", "basic")], skills=[("hpc", 1), ("nlp", 1)])
    with django_assert_num_queries(10):
        many = client.get("/talent/", {"language": "es"})
    assert few.context["page"].paginator.count == 4
    assert many.context["page"].paginator.count == 29
    assert len(many.context["page"].object_list) == 20


def test_search_page_shows_facets_ticked_and_keeps_filters_in_pagination(client, pool):
    for _ in range(21):
        make_profile(languages=[("gl", "native")])
    body = client.get("/talent/", {"language": "gl", "q": ""}).content.decode()
    assert 'value="gl" checked' in body
    assert "language=gl&amp;q=&amp;page=2" in body or "q=&amp;language=gl&amp;page=2" in body


def test_api_search_refuses_unknown_filter_values(pool):
    response = APIClient().get("/api/profiles/", {"region": "Narnia", "sort": "drop table", "kind": "x"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"region.0", "sort", "kind.0"}
    assert APIClient().get("/api/profiles/", {"region": "AN"}).status_code == 200
