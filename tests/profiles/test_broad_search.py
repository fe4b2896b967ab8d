"""A search matching a large part of the pool: its total and facets are estimated from a
sample of the table's pages, said to be estimates everywhere, and still follow hidden
profiles and switched-off accounts at once; a narrow search keeps exact counts."""

import pytest
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.profiles import selectors, services
from apps.profiles.models import Profile, ProfileSkill, Skill
from tests.accounts.factories import UserFactory
from tests.profiles.factories import ensure_skill_taxonomy, make_profile
from tests.query_plans import analyse

pytestmark = pytest.mark.django_db
SIZE = 1500
REGIONS = ("MD", "CT", "GA")


@pytest.fixture
def broad_pool(monkeypatch):
    """1,500 members named "Persona i", a third per region, every third one in HPC; past
    50 matches a search counts on a sample of about half of the table's pages."""
    ensure_skill_taxonomy()
    users = User.objects.bulk_create(User(username=f"b{i}", email=f"b{i}@example.org") for i in range(SIZE))
    # The search document written with the rows: an UPDATE afterwards would leave a dead
    # version of every row in the table's first pages, and a sample of half of the pages
    # could then see twice the live rows.
    profiles = Profile.objects.bulk_create(
        Profile(user=user, handle=f"b{i}", display_name=f"Persona {i}", visibility="members", region=REGIONS[i % 3],
                search_vector=SearchVector(Value(f"Persona {i}"), config="simple"))
        for i, user in enumerate(users)
    )
    nlp, hpc = Skill.objects.get(slug="nlp"), Skill.objects.get(slug="hpc")
    ProfileSkill.objects.bulk_create(
        ProfileSkill(profile=p, skill=hpc if i % 3 == 0 else nlp, level=2) for i, p in enumerate(profiles)
    )
    services.talent_pool_refresh(profile_ids=[p.pk for p in profiles])
    analyse(Profile._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('profiles_profile') / current_setting('block_size')::int")
        pages = cursor.fetchone()[0]
    assert pages >= 10, pages  # enough pages for a sample to be a sample
    monkeypatch.setattr(selectors, "RANKED_MATCHES_MAX", 50)
    monkeypatch.setattr(selectors, "EXACT_COUNT_MAX", 50)
    monkeypatch.setattr(selectors, "SAMPLE_PAGES", pages // 2)
    return profiles


def facets_for(viewer, **search):
    return selectors.talent_facets(viewer=viewer, search=selectors.TalentSearch(**search))


def counts(facet_list):
    return {option["value"]: option["count"] for option in facet_list if option["count"]}


def two_significant_figures(n: int) -> bool:
    return n == int(float(f"{n:.2g}"))


@pytest.mark.parametrize(
    "estimate, shown", [(81_234.5, 81_000), (1_499.9999, 1_500), (1_550.2, 1_600), (96.4, 96), (7.6, 8), (0.4, 0)]
)
def test_estimates_are_shown_to_two_significant_figures(estimate, shown):
    assert selectors._about(estimate) == shown


def test_a_broad_search_is_estimated_from_a_sample_and_says_so(broad_pool):
    member = UserFactory()
    # A bulk rewrite (as a migration or a refresh of every row does) leaves the live versions
    # crowded into the newest pages until autovacuum; the estimate must not depend on it.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE profiles_profile SET updated_at = updated_at")
    facets = facets_for(member, q="persona")
    assert facets["approximate"] is True
    # The search matches the whole pool, so its estimate is the pool, exactly.
    assert facets["total"] == SIZE, facets["total"]
    skills = counts(facets["skill"])
    assert set(skills) == {"nlp", "hpc"} and all(two_significant_figures(n) for n in skills.values()), skills
    assert 0.4 * SIZE <= skills["nlp"] <= SIZE * 0.9, skills  # two thirds
    assert set(counts(facets["region"])) == set(REGIONS)

    client = APIClient()
    client.force_login(member)
    body = client.get("/api/profiles/", {"q": "persona"}).json()
    assert body["approximate"] is True and body["count"] == facets["total"]
    assert "approximate" not in body["facets"]
    page = client.get("/talent/", {"q": "persona"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-approximate-counts" in page
    assert f"your search matches about {facets['total']:,} people" in page


def test_a_narrow_search_and_the_unfiltered_pool_keep_exact_counts(broad_pool):
    member = UserFactory()
    narrow = facets_for(member, q="persona 42")  # 42 and 420-429
    assert (narrow["total"], narrow["approximate"]) == (11, False)
    assert counts(narrow["skill"]) == {"nlp": 6, "hpc": 5}  # 42, 420, 423, 426 and 429 in HPC
    everyone = facets_for(member)
    assert (everyone["total"], everyone["approximate"]) == (SIZE, False)
    client = APIClient()
    client.force_login(member)
    assert client.get("/api/profiles/", {"q": "persona 42"}).json()["approximate"] is False
    assert "data-approximate-counts" not in client.get("/talent/", {"q": "persona 42"}).content.decode()


def test_a_broad_search_drops_hidden_profiles_and_switched_off_accounts_at_once(broad_pool):
    member = UserFactory()
    client = APIClient()
    client.force_login(member)
    before = facets_for(member, q="persona")
    assert counts(before["skill"]).get("hpc") and counts(before["region"]).get("GA")

    # One member hides their profile, freshly saved: it would head the newest-first list.
    leaving = broad_pool[7]
    services.profile_update(actor=leaving.user, profile=leaving, data={"visibility": "hidden"})
    # Everyone in HPC hides theirs; every account in Galicia is switched off.
    hpc = list(Profile.objects.filter(skills__skill__slug="hpc").values_list("pk", flat=True))
    Profile.objects.filter(pk__in=hpc).update(visibility="hidden")
    galicia = list(Profile.objects.filter(region="GA").values_list("pk", flat=True))
    User.objects.filter(profile__pk__in=galicia).update(is_active=False)
    services.talent_pool_refresh(profile_ids=hpc + galicia)

    after = facets_for(member, q="persona")
    assert after["approximate"] is True
    assert "hpc" not in counts(after["skill"]) and "GA" not in counts(after["region"]), after
    assert after["total"] < before["total"]
    body = client.get("/api/profiles/", {"q": "persona", "page_size": 100}).json()
    listed = {row["handle"] for row in body["results"]}
    assert len(listed) == 100 and leaving.handle not in listed
    assert not listed & set(Profile.objects.filter(pk__in=hpc + galicia).values_list("handle", flat=True))
    assert body["count"] == after["total"]
