"""Talent search and the "people behind" a repository use indexes, not a read of every profile."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from apps.accounts.models import User
from apps.profiles import selectors
from apps.profiles.hub_references import profile_owners
from apps.profiles.models import Profile
from tests.query_plans import analyse, assert_no_seq_scan, plan_of

pytestmark = pytest.mark.django_db
TABLE = Profile._meta.db_table


@pytest.fixture
def large_pool():
    users = User.objects.bulk_create(
        (User(username=f"m{i}", email=f"m{i}@example.org") for i in range(5000)), batch_size=2500
    )
    Profile.objects.bulk_create(
        (
            Profile(
                user=user, handle=f"m{i}", display_name=f"Persona {i}", visibility="public" if i % 3 else "members",
                region="CT" if i % 2 else "MD", hf_username=f"hf-user-{i}" if i % 5 == 0 else "",
                hf_verified=i % 5 == 0,  # only usernames proven by the Hugging Face login count
            )
            for i, user in enumerate(users)
        ),
        batch_size=2500,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET search_vector = to_tsvector('simple', display_name || ' ' || handle)")
    analyse(TABLE, User._meta.db_table)


def test_people_behind_a_repository_use_the_upper_cased_username_index(large_pool):
    plan = plan_of(profile_owners("HF-USER-10"))
    assert_no_seq_scan(plan, TABLE)
    assert "profiles_hf_username_upper_idx" in plan, plan
    assert [p.handle for p in profile_owners("HF-USER-10")] == ["m10"]


def test_talent_text_search_uses_the_search_index(large_pool):
    """At 5,000 rows a prefix search is still cheap to scan; at national size it is not.
    With plain scans priced out the planner takes the GIN index, and only if it exists."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    search = selectors.TalentSearch(q="m4242")
    plan = plan_of(selectors.talent_search(viewer=AnonymousUser(), search=search))
    assert_no_seq_scan(plan, TABLE)


# --- What a signed-in member's talent page runs, at national shape --------------------


@pytest.fixture
def member_pool(large_pool):
    """The large pool with skills and languages, its listing and counts kept by the services."""
    from apps.profiles.models import ProfileLanguage, ProfileSkill, Skill
    from apps.profiles.services import talent_pool_rebuild
    from tests.profiles.factories import ensure_skill_taxonomy

    ensure_skill_taxonomy()
    skills = list(Skill.objects.all())
    profiles = list(Profile.objects.order_by("pk"))
    ProfileSkill.objects.bulk_create(
        ProfileSkill(profile=p, skill=skills[(i + k * 7) % len(skills)], level=1 + k)
        for i, p in enumerate(profiles) for k in range(3)
    )
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(profile=p, code=("es", "ca", "eu")[i % 3], level="native") for i, p in enumerate(profiles)
    )
    talent_pool_rebuild()
    analyse(TABLE, ProfileSkill._meta.db_table, ProfileLanguage._meta.db_table)
    member = User.objects.create(username="viewer", email="viewer@example.org")
    return member


def plans_of_talent_page(client, member, params) -> list[tuple[str, str]]:
    """(SQL, plan) of every statement on profiles a member's /talent/ page runs."""
    from django.test.utils import CaptureQueriesContext

    client.force_login(member)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/talent/", params).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a scan no index can spare shows anyway
        for query in captured.captured_queries:
            sql = query["sql"]
            # The session's own statement reads the member's profile by its user (below).
            if sql.startswith("SELECT") and "profiles_" in sql and "accounts_membersession" not in sql:
                cursor.execute(f"EXPLAIN {sql}")
                plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


SEARCHES = {
    "unfiltered": {},
    "words": {"q": "persona 42"},
    "words matching everyone": {"q": "persona"},
    "words and region": {"q": "persona", "region": "CT"},
    "skill": {"skill": "nlp"},
    "language and kind": {"language": "eu", "kind": "university"},
    "sorted by name": {"sort": "name"},
    # Each facet as a filter, alone and with words.
    **{
        f"{name}{' and words' if words else ''}": {name: value, **({"q": words} if words else {})}
        for name, value in (
            ("skill", "nlp"), ("language", "eu"), ("region", "MD"), ("kind", "university"),
            ("available", "open_to_jobs"),
        )
        for words in ("", "persona 4")
    },
}


def test_a_members_talent_page_reads_no_table_from_end_to_end(client, member_pool):
    """List, total and facets of every kind of search: no sequential scan of profiles,
    their skills or languages, and no facet counted by joining profile skills."""
    for name, params in SEARCHES.items():
        plans = plans_of_talent_page(client, member_pool, params)
        assert plans, name
        for sql, plan in plans:
            for table in (TABLE, "profiles_profileskill", "profiles_profilelanguage", "accounts_user"):
                assert_no_seq_scan(plan, table)
            if f'FROM "{TABLE}"' in sql:  # list, total and facets (not the page's prefetched lists)
                # Filtered and counted by the rows' own keys, never by joining skills or languages.
                assert "profiles_profileskill" not in plan and "profiles_profilelanguage" not in plan, (name, plan)


def test_the_members_list_and_totals_are_read_from_what_the_services_keep(client, member_pool):
    """The list from the audience's partial index in both orders; the unfiltered total and
    facets from the maintained counts, with nothing counted over the profiles."""
    plans = plans_of_talent_page(client, member_pool, {})
    listing = [plan for sql, plan in plans if sql.endswith("LIMIT 20")]
    assert any("profiles_listed_member_recent" in plan for plan in listing), plans
    counting = [sql for sql, _plan in plans if "count(" in sql.lower() or "jsonb_array_elements" in sql]
    assert counting == [], counting
    assert any("profiles_talentpoolcount" in sql for sql, _plan in plans)
    by_name = [plan for sql, plan in plans_of_talent_page(client, member_pool, {"sort": "name"}) if sql.endswith("LIMIT 20")]
    assert any("profiles_listed_member_name" in plan for plan in by_name), by_name


def test_a_search_matching_everyone_is_listed_from_the_recency_index_not_ranked(client, member_pool):
    """"persona" matches all 5,000 profiles: more than are ranked, so the page is read from
    the members' recency index and stops at its end; no sort of every match by rank."""
    plans = plans_of_talent_page(client, member_pool, {"q": "persona"})
    listing = [(sql, plan) for sql, plan in plans if sql.endswith("LIMIT 20")]
    assert listing and all("profiles_listed_member_recent" in plan for _sql, plan in listing), listing
    recent_first = f'ORDER BY "{TABLE}"."updated_at" DESC, "{TABLE}"."id" DESC LIMIT 20'
    assert all(sql.endswith(recent_first) for sql, _plan in listing), listing
    narrow = [sql for sql, _plan in plans_of_talent_page(client, member_pool, {"q": "persona 42"}) if sql.endswith("LIMIT 20")]
    assert narrow and not any(sql.endswith(recent_first) for sql in narrow), narrow  # few matches are ranked


def test_a_broad_search_counts_its_facets_on_a_sample_not_on_every_match(client, member_pool, monkeypatch):
    """Past EXACT_COUNT_MAX matches the facets and total are counted on a sample of the
    table's pages, with and without words and with a facet ticked: a Sample Scan, never a
    read of every profile or profile skill."""
    monkeypatch.setattr(selectors, "EXACT_COUNT_MAX", 100)
    monkeypatch.setattr(selectors, "SAMPLE_PAGES", 5)
    for params in ({"q": "persona"}, {"q": "persona", "region": "CT"}, {"skill": "nlp"}, {"language": "eu"}):
        plans = plans_of_talent_page(client, member_pool, params)
        counting = [plan for sql, plan in plans if "jsonb_array_elements" in sql]
        assert any(f"Sample Scan on {TABLE}" in plan for plan in counting), (params, counting)
        for _sql, plan in plans:
            for table in (TABLE, "profiles_profileskill", "profiles_profilelanguage", "accounts_user"):
                assert_no_seq_scan(plan, table)


def test_the_bounded_count_of_a_broad_search_reads_its_matches_through_the_indexes(client, member_pool):
    """The exact count that stops one past EXACT_COUNT_MAX has a LIMIT, which makes a
    sequential read "until enough rows match" look cheap; where matches cluster it read
    most of the table. Explained under the settings the page set around it, with the
    planner otherwise free: no sequential scan of profiles."""
    from django.test.utils import CaptureQueriesContext

    client.force_login(member_pool)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/talent/", {"q": "persona"}).status_code == 200
    bounded = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.startswith(("SET ", "RESET ")):
                cursor.execute(sql)
            elif "jsonb_array_elements" in sql and f"LIMIT {selectors.EXACT_COUNT_MAX + 1}" in sql:
                cursor.execute(f"EXPLAIN {sql}")
                bounded.append("\n".join(row[0] for row in cursor.fetchall()))
    assert bounded, [query["sql"][:80] for query in captured.captured_queries]
    for plan in bounded:
        assert_no_seq_scan(plan, TABLE)


def test_a_skill_or_language_filter_can_be_read_from_the_facet_keys_index(member_pool):
    """Skill and language filters are containment on the rows' facet keys, which their GIN
    index serves, so that the planner can AND it with the words' index when both match many
    (at 1,000,000 members, docs/benchmarks.md): the join to every "nlp" skill row read
    100,000 pages to find that a search and a skill had no profile in common."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    for params in ({"skills": ["nlp"]}, {"languages": ["gl"]}, {"skills": ["nlp"], "languages": ["eu"]}):
        matching = selectors._matching(member_pool, selectors.TalentSearch(**params))
        plan = plan_of(matching.order_by())
        assert "profiles_facet_keys_gin" in plan and "profiles_profileskill" not in plan, (params, plan)


def test_the_session_reads_whether_the_members_own_profile_is_hidden_by_its_user_index(client, member_pool):
    """Every signed-in request's session statement asks it: one row by the profile's user."""
    from django.test.utils import CaptureQueriesContext

    client.force_login(member_pool)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/notifications/").status_code == 200
    (session,) = [query["sql"] for query in captured.captured_queries if "accounts_membersession" in query["sql"]]
    assert TABLE in session
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {session}")
        assert_no_seq_scan("\n".join(row[0] for row in cursor.fetchall()), TABLE)
