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
