"""The talent pool's listing and counts, kept by the services: exact at once, and equal to
a count from scratch after any sequence of changes."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from apps.accounts import services as account_services
from apps.profiles import pool, selectors, services
from apps.profiles.choices import listing_of
from apps.profiles.models import Profile, TalentPoolCount
from tests.accounts.factories import PASSWORD, UserFactory
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db


def recount() -> Counter:
    """The pool's counts computed from the profiles as they are now."""
    counts = Counter()
    for profile in Profile.objects.select_related("user").prefetch_related("skills__skill", "languages"):
        keys = pool.facet_keys(
            profile, [s.skill.slug for s in profile.skills.all()], [lang.code for lang in profile.languages.all()]
        )
        counts.update(pool.contributions(listing_of(profile.visibility, profile.user.is_active), keys))
    return counts


def kept() -> Counter:
    return Counter({(row.audience, row.key): row.n for row in TalentPoolCount.objects.all() if row.n})


def test_counts_kept_by_the_services_equal_a_count_from_scratch_after_every_change():
    ana = make_profile(display_name="Ana", region="MD", skills=[("nlp", 3)], languages=[("es", "native")])
    bea = make_profile(display_name="Bea", visibility="members", region="CT", open_to_jobs=True,
                       skills=[("nlp", 1), ("hpc", 2)])
    carla = make_profile(display_name="Carla", visibility="hidden", skills=[("speech", 2)])
    assert kept() == recount()
    steps = [
        lambda: services.profile_update(actor=ana.user, profile=ana, data={"visibility": "hidden"}),
        lambda: services.profile_update(actor=bea.user, profile=bea, data={"region": "PV"},
                                        skills=[{"skill": "speech", "level": 2}]),
        lambda: services.profile_update(actor=carla.user, profile=carla, data={"visibility": "public"},
                                        languages=[{"code": "eu", "level": "native"}]),
        lambda: _switch_account(bea.user, active=False),
        lambda: _switch_account(bea.user, active=True),
        lambda: account_services.account_delete(user=carla.user, password=PASSWORD),
        lambda: services.talent_pool_refresh(profile_ids=[ana.pk, bea.pk]),  # nothing changed: nothing moves
    ]
    for step in steps:
        step()
        assert kept() == recount()
    assert services.talent_pool_rebuild() == 2
    assert kept() == recount()


def _switch_account(user, *, active: bool):
    """What the admin does: the account's row saved with is_active changed."""
    user.is_active = active
    user.save()


def test_a_profile_hidden_or_an_account_switched_off_leaves_lists_counts_and_facets_at_once():
    viewer = UserFactory()
    client = APIClient()
    client.force_login(viewer)
    shown = make_profile(display_name="Sigue Aquí", headline="Datos", skills=[("nlp", 2)], region="MD")
    leaving = make_profile(display_name="Se Va", headline="Datos", skills=[("nlp", 2)], region="GA")
    switched_off = make_profile(display_name="Cuenta Apagada", headline="Datos", visibility="members", skills=[("nlp", 1)], region="GA")

    def seen(params):
        body = client.get("/api/profiles/", params).json()
        page = client.get("/talent/", params)
        names = {row["display_name"] for row in body["results"]}
        assert names == {p.display_name for p in page.context["page"].object_list}
        nlp = next(option["count"] for option in body["facets"]["skill"] if option["value"] == "nlp")
        regions = {option["value"]: option["count"] for option in body["facets"]["region"]}
        assert body["count"] == page.context["page"].paginator.count == len(names)
        return names, nlp, regions

    for params in ({}, {"skill": "nlp"}, {"q": "datos"}):
        assert seen(params)[0] >= {"Sigue Aquí", "Se Va", "Cuenta Apagada"}
    services.profile_update(actor=leaving.user, profile=leaving, data={"visibility": "hidden"})
    _switch_account(switched_off.user, active=False)
    for params in ({}, {"skill": "nlp"}, {"q": "datos"}):
        names, nlp, regions = seen(params)
        assert "Se Va" not in names and "Cuenta Apagada" not in names
        assert "Sigue Aquí" in names
        assert regions.get("GA", 0) == 0, (params, regions)
        if "q" not in params:
            assert nlp == 1, params
    # The owner still finds their own hidden profile, and their counts include it.
    owner = APIClient()
    owner.force_login(leaving.user)
    body = owner.get("/api/profiles/", {"skill": "nlp"}).json()
    assert {row["display_name"] for row in body["results"]} == {"Sigue Aquí", "Se Va"} == {
        p.display_name for p in selectors.talent_search(viewer=leaving.user, search=selectors.TalentSearch(skills=["nlp"]))
    }
    assert body["count"] == 2
    unfiltered = owner.get("/api/profiles/").json()
    assert unfiltered["count"] == len({row["display_name"] for row in unfiltered["results"]})
    assert shown.pk


def test_a_shared_talent_fragment_never_carries_another_members_query_string():
    """Two organisers with the same search share the list, but each page's links (the CSV
    export, pagination) carry that member's own query string, never the other's."""
    from django.contrib.auth.models import Group

    from apps.accounts import roles

    make_profile(display_name="Ana", skills=[("nlp", 2)])
    first, second = UserFactory(), UserFactory()
    Group.objects.get(name=roles.ORGANISERS).user_set.add(first, second)
    client = APIClient()
    client.force_login(first)
    assert "planted=1" in client.get("/talent/", {"skill": "nlp", "planted": "1"}).content.decode()
    client.force_login(second)
    body = client.get("/talent/", {"skill": "nlp"}).content.decode()
    assert "Ana" in body and "planted" not in body
