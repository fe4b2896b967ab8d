"""The Hub catalogue's writes, called directly, for invariants the sync tests leave out:
one row per repository and per day whatever the listing repeats, a repository that moves
owner is not "removed" by its old owner, and a sync that finds nothing to do lets go."""

from datetime import date, timedelta

import pytest

from apps.core.errors import Conflict, NotAllowed
from apps.hub import services
from apps.hub.models import HubOwner, HubRepository, HubSnapshot
from tests.accounts.factories import UserFactory
from tests.hub import factories

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)


def test_a_repository_listed_twice_is_stored_once():
    owner = factories.owner("grupo")
    result = factories.catalogue(owner, [factories.remote("grupo/a", downloads=5), factories.remote("grupo/a", downloads=5)],
                                 today=DAY)
    assert result.created == 1
    assert HubRepository.objects.filter(repo_id="grupo/a").count() == 1
    assert HubSnapshot.objects.filter(repository__repo_id="grupo/a").count() == 1


def test_a_second_sync_on_the_same_day_corrects_that_days_snapshot():
    owner = factories.owner("grupo")
    factories.catalogue(owner, [factories.remote("grupo/a", downloads=5)], today=DAY)
    result = factories.catalogue(owner, [factories.remote("grupo/a", downloads=8, likes=3)], today=DAY)
    assert result.snapshots == 1
    assert list(HubSnapshot.objects.values_list("day", "downloads", "likes")) == [(DAY, 8, 3)]


def test_a_language_dropped_on_the_hub_is_dropped_from_the_filters():
    owner = factories.owner("grupo")
    factories.catalogue(owner, [factories.remote("grupo/a", languages=("es", "eu"))], today=DAY)
    factories.catalogue(owner, [factories.remote("grupo/a", languages=("eu",))], today=DAY + timedelta(days=1))
    repo = HubRepository.objects.get(repo_id="grupo/a")
    assert list(repo.language_rows.values_list("code", flat=True)) == ["eu"]


def test_a_repository_moved_to_another_owner_is_not_removed_by_the_old_ones_sync():
    old, new = factories.owner("viejo"), factories.owner("nuevo")
    factories.catalogue(old, [factories.remote("viejo/modelo"), factories.remote("viejo/otro")], today=DAY)
    # The Hub now lists the repository under its new owner, and no longer under the old one.
    factories.catalogue(new, [factories.remote("viejo/modelo", downloads=30)], today=DAY + timedelta(days=1))
    result = factories.catalogue(old, [factories.remote("viejo/otro")], today=DAY + timedelta(days=1))
    assert result.removed == 0
    moved = HubRepository.objects.get(repo_id="viejo/modelo")
    assert (moved.owner_id, moved.removed_at, moved.downloads) == (new.pk, None, 30)


def test_only_managers_add_owners_and_a_name_already_tracked_in_any_case_is_refused():
    with pytest.raises(NotAllowed):
        services.owner_add(actor=UserFactory(), name="hitz", kind="org")
    staff = UserFactory(is_staff=True)
    added = services.owner_add(actor=staff, name="HiTZ", kind="org", display_name="  HiTZ Zentroa  ")
    assert added.display_name == "HiTZ Zentroa"
    with pytest.raises(Conflict):
        services.owner_add(actor=staff, name="hitz", kind="org", display_name="Otro")
    assert list(HubOwner.objects.values_list("name", "display_name")) == [("HiTZ", "HiTZ Zentroa")]


def test_a_sync_of_an_owner_that_no_longer_exists_is_skipped_and_releases_its_lock():
    owner = factories.owner("grupo")
    owner_id = owner.pk
    owner.delete()
    assert services.owner_sync(owner_id=owner_id).status == "skipped"
    assert not services.owner_sync_running(owner_id)
