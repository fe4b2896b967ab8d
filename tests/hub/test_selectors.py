"""The Hub catalogue's reads, called directly: private repositories never leave the
selectors, removed ones stay reachable by name but out of lists and totals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.hub import selectors
from tests.hub import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bsc():
    """An owner with a live model, a live dataset, a private model, and a model removed from the Hub."""
    owner = factories.owner("bsc-lt")
    factories.catalogue(owner, [
        factories.remote("bsc-lt/vivo", downloads=100), factories.remote("bsc-lt/ido", downloads=40),
        factories.remote("bsc-lt/corpus", kind="dataset", downloads=7),
        factories.remote("bsc-lt/secreto", downloads=900, private=True),
    ])
    # The next sync no longer finds "ido": it is removed, not deleted.
    factories.catalogue(owner, [
        factories.remote("bsc-lt/vivo", downloads=100), factories.remote("bsc-lt/corpus", kind="dataset", downloads=7),
        factories.remote("bsc-lt/secreto", downloads=900, private=True),
    ])
    return owner


def test_the_visibility_selector_keeps_removed_repositories_and_drops_private_ones(bsc):
    assert sorted(selectors.repository_visible().values_list("repo_id", flat=True)) == [
        "bsc-lt/corpus", "bsc-lt/ido", "bsc-lt/vivo",
    ]


def test_lists_leave_removed_repositories_out_unless_asked_and_private_ones_always(bsc):
    assert [r.repo_id for r in selectors.repository_list(owner="BSC-LT")] == ["bsc-lt/vivo", "bsc-lt/corpus"]
    assert [r.repo_id for r in selectors.repository_list(kind="model", include_removed=True)] == [
        "bsc-lt/vivo", "bsc-lt/ido",
    ]
    assert [r.repo_id for r in selectors.repositories_of_hub_account("bsc-lt", limit=1)] == ["bsc-lt/vivo"]


def test_a_removed_repository_is_found_by_name_and_a_private_one_is_not(bsc):
    removed = selectors.repository_get(kind="model", repo_id="bsc-lt/ido")
    assert removed is not None and removed.removed_at is not None
    assert selectors.repository_get(kind="model", repo_id="bsc-lt/secreto") is None
    assert selectors.repository_get(kind="dataset", repo_id="bsc-lt/vivo") is None


def test_references_by_key_match_kind_and_name_and_never_private_ones(bsc, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.repositories_by_key([]) == {}
    found = selectors.repositories_by_key([
        ("model", "bsc-lt/vivo"), ("dataset", "bsc-lt/vivo"), ("model", "bsc-lt/ido"),
        ("model", "bsc-lt/secreto"), ("model", "nadie/nada"),
    ])
    assert sorted(found) == [("model", "bsc-lt/ido"), ("model", "bsc-lt/vivo")]


def test_owner_counts_and_downloads_are_of_live_public_repositories(bsc):
    factories.catalogue(factories.owner("other-org"), [factories.remote("other-org/solo", downloads=3)])
    owners = {o.name: o for o in selectors.owner_list()}
    assert (owners["bsc-lt"].model_count, owners["bsc-lt"].dataset_count, owners["bsc-lt"].total_downloads) == (
        1, 1, 107,
    )
    assert selectors.owner_get("BSC-LT").pk == bsc.pk
    assert selectors.owner_get("bsc\x00lt") is None


def test_adoption_totals_leave_private_and_removed_repositories_out(bsc):
    adoption = selectors.owner_adoption(bsc)
    assert adoption["totals"] == {"downloads": 107, "likes": 2, "all_time": 428, "count": 2, "unused": 0}
    # No reading a month old yet: no change is claimed, not a change of 0.
    assert (adoption["month_ago"], adoption["previous_downloads"], adoption["change"]) == (None, None, None)


def test_adoption_change_is_none_rather_than_infinite_when_a_month_ago_nothing_was_downloaded():
    owner = factories.owner("nuevo")
    today = timezone.localdate()
    factories.history(owner, {
        today - timedelta(days=35): [factories.remote("nuevo/m", downloads=0)],
        today: [factories.remote("nuevo/m", downloads=25)],
    })
    adoption = selectors.owner_adoption(owner, today=today)
    assert (adoption["previous_downloads"], adoption["change"], adoption["change_pct"]) == (0, 25, None)


def test_home_numbers_count_live_public_repositories_only(bsc):
    assert selectors.hub_numbers() == {"hub_repositories": 2, "hub_downloads_last_30_days": 107}
