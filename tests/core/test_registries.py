"""The ground floor's registries: what an app registers from its AppConfig.ready reaches the page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.core import demo, my_community, selectors
from apps.core.my_community import Deadline, MyCommunityPart
from tests.accounts.factories import UserFactory


def test_every_app_fills_the_registries_of_the_ground_floor():
    assert set(selectors._number_sources) == {"accounts", "hub", "compute", "profiles", "hackathons", "meetups"}
    assert set(my_community._sources) == {"notifications", "hub", "compute", "hackathons", "meetups", "profiles"}
    assert [seeder.name for seeder in demo.seeders_in_order()] == [
        "profiles", "hub", "compute", "hackathons", "meetups", "transparency",
    ]


@pytest.mark.django_db
def test_a_registered_source_adds_its_lists_deadlines_and_things_to_do(monkeypatch):
    today = timezone.localdate()

    def library_part(*, user, now, horizon):
        assert now <= horizon == now + timedelta(days=my_community.HORIZON_DAYS)
        return MyCommunityPart(
            {"loans": [f"loan of {user.username}"]},
            [Deadline(today + timedelta(days=9), "Return", "Book", "/library/"),
             Deadline(today - timedelta(days=1), "Overdue", "Atlas", "/library/")],
            to_do=2,
        )

    monkeypatch.setitem(my_community._sources, "library", library_part)
    user = UserFactory()
    everything = my_community.my_community(user=user)
    assert everything["loans"] == [f"loan of {user.username}"]
    assert everything["to_do"] == 2  # a new member has nothing else to do
    days = [deadline.when if isinstance(deadline.when, date) else timezone.localdate(deadline.when)
            for deadline in everything["deadlines"]]
    assert days == sorted(days) and [d.label for d in everything["deadlines"]] == ["Overdue", "Return"]


@pytest.mark.django_db
def test_a_registered_number_source_reaches_the_home_page_numbers(monkeypatch):
    monkeypatch.setitem(selectors._number_sources, "library",
                        selectors.NumbersSource(lambda: {"books_lent": 7}, ("library",)))
    numbers = selectors.platform_numbers()
    assert numbers["books_lent"] == 7 and "members" in numbers and "computed_at" in numbers


def test_demo_seeders_run_after_those_they_name_and_a_cycle_is_refused(monkeypatch):
    monkeypatch.setattr(demo, "_seeders", {})
    demo.register_demo_seeder("talks", print, after=("rooms", "people"))
    demo.register_demo_seeder("rooms", print, after=("buildings",))
    demo.register_demo_seeder("buildings", print)
    assert [seeder.name for seeder in demo.seeders_in_order()] == ["buildings", "rooms", "talks"]

    demo.register_demo_seeder("buildings", print, after=("talks",))
    with pytest.raises(ValueError, match="wait for each other"):
        demo.seeders_in_order()
