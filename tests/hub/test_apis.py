import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from apps.accounts import roles
from apps.hub.models import HubOwner, HubRepository
from tests.accounts.factories import UserFactory
from tests.hub import factories


@pytest.fixture
def api():
    return APIClient()


def organiser():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.ORGANISERS))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 7])
def test_repository_list_filters_and_constant_queries(api, django_assert_num_queries, size):
    owner = factories.owner("bsc-lt")
    factories.catalogue(owner, [factories.remote(f"bsc-lt/m{i}", downloads=i, languages=("ca",) if i % 2 else ("es",))
                                for i in range(size)] + [factories.remote("bsc-lt/d", kind="dataset")])
    with django_assert_num_queries(3):  # 2 + the topics' generations (visitor cache)
        response = api.get("/api/hub/repositories/", {"kind": "model"})
    assert response.status_code == 200
    assert response.data["count"] == size
    first = response.data["results"][0]
    assert first["repo_id"] == f"bsc-lt/m{size - 1}" and first["owner"] == "bsc-lt"
    assert set(first) >= {"downloads", "downloads_all_time", "likes", "languages", "task", "licence", "hub_url"}
    catalan = api.get("/api/hub/repositories/", {"language": "ca"}).data["results"]
    assert all("ca" in r["languages"] for r in catalan) and len(catalan) == size // 2


@pytest.mark.django_db
def test_repository_list_rejects_bad_filters(api):
    response = api.get("/api/hub/repositories/", {"kind": "space", "sort": "random"})
    assert response.status_code == 400
    assert set(response.data["errors"]) == {"kind", "sort"}


@pytest.mark.django_db
def test_repository_detail_and_snapshots(api, django_assert_num_queries):
    owner = factories.owner("bsc-lt")
    factories.weekly_history(owner, "bsc-lt/salamandra", weeks=4)
    factories.catalogue(owner, [factories.remote("bsc-lt/salamandra", downloads=160), factories.remote("bsc-lt/secret", private=True)])
    repo = HubRepository.objects.get(repo_id="bsc-lt/salamandra")
    assert api.get(f"/api/hub/repositories/{repo.pk}/").data["downloads"] == 160
    with django_assert_num_queries(3):
        snapshots = api.get(f"/api/hub/repositories/{repo.pk}/snapshots/").data
    assert snapshots["count"] == 4
    assert snapshots["results"][0]["downloads"] == 160
    secret = HubRepository.objects.get(repo_id="bsc-lt/secret")
    assert api.get(f"/api/hub/repositories/{secret.pk}/").status_code == 404
    assert api.get(f"/api/hub/repositories/{secret.pk}/snapshots/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 5])
def test_owner_list_constant_queries(api, django_assert_num_queries, size):
    for i in range(size):
        factories.catalogue(factories.owner(f"grupo-{i}"), [factories.remote(f"grupo-{i}/m", downloads=7)])
    with django_assert_num_queries(2):
        response = api.get("/api/hub/owners/")
    assert response.data["count"] == size
    assert response.data["results"][0]["total_downloads"] == 7
    assert api.get("/api/hub/owners/grupo-0/").data["model_count"] == 1
    assert api.get("/api/hub/owners/nobody/").status_code == 404


@pytest.mark.django_db
def test_only_organisers_add_owners(api, django_capture_on_commit_callbacks):
    assert api.post("/api/hub/owners/", {"name": "hitz", "kind": "org"}).status_code in (401, 403)
    api.force_authenticate(UserFactory())
    assert api.post("/api/hub/owners/", {"name": "hitz", "kind": "org"}).status_code == 403

    api.force_authenticate(organiser())
    bad = api.post("/api/hub/owners/", {"name": "bad name!", "kind": "team"})
    assert bad.status_code == 400 and set(bad.data["errors"]) == {"kind"}
    bad = api.post("/api/hub/owners/", {"name": "bad name!", "kind": "org"})
    assert bad.status_code == 400 and "name" in bad.data["errors"]
    with django_capture_on_commit_callbacks() as callbacks:
        created = api.post("/api/hub/owners/", {"name": "HiTZ", "kind": "org", "display_name": "HiTZ Zentroa"})
    assert created.status_code == 201 and created.data["display_name"] == "HiTZ Zentroa"
    assert len(callbacks) == 1
    assert api.post("/api/hub/owners/", {"name": "hitz", "kind": "org"}).status_code == 409


@pytest.mark.django_db
def test_sync_endpoint_queues_once(api, django_capture_on_commit_callbacks):
    member = UserFactory()
    factories.owner("grupo", member=member)
    api.force_authenticate(UserFactory())
    assert api.post("/api/hub/owners/grupo/sync/").status_code == 403
    api.force_authenticate(member)
    with django_capture_on_commit_callbacks() as callbacks:
        first = api.post("/api/hub/owners/grupo/sync/")
        second = api.post("/api/hub/owners/grupo/sync/")
    assert (first.status_code, first.data, second.data) == (202, {"queued": True}, {"queued": False})
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_tracked_owner_ensure_is_idempotent_and_case_insensitive():
    from apps.core.errors import InvalidInput
    from apps.hub.services import tracked_owner_ensure

    member = UserFactory()
    first = tracked_owner_ensure(name="Ada-Lovelace", kind="user")
    again = tracked_owner_ensure(name="ada-lovelace", kind="user", member=member)
    assert first.pk == again.pk and HubOwner.objects.count() == 1
    assert list(again.members.all()) == [member]
    with pytest.raises(InvalidInput):
        tracked_owner_ensure(name="../etc", kind="user")


@pytest.mark.django_db
def test_the_repository_list_is_computed_once_for_every_member_until_the_next_sync(monkeypatch):
    """The catalogue is the same for everyone who asks: members share one answer (per query
    and language), and the next write to the catalogue shows at once."""
    from apps.hub import selectors

    owner = factories.owner("bsc-lt")
    factories.catalogue(owner, [factories.remote("bsc-lt/salamandra-7b", downloads=10)])
    computed = []
    listing = selectors.repository_list
    monkeypatch.setattr(selectors, "repository_list", lambda **kw: computed.append(1) or listing(**kw))
    answers = []
    for _member in range(2):
        client = APIClient()
        client.force_authenticate(UserFactory())
        answers.append([r["repo_id"] for r in client.get("/api/hub/repositories/").json()["results"]])
    assert answers == [["bsc-lt/salamandra-7b"]] * 2 and len(computed) == 1
    factories.catalogue(owner, [factories.remote("bsc-lt/salamandra-7b", downloads=10),
                                factories.remote("bsc-lt/salamandra-2b", downloads=5)])
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert [r["repo_id"] for r in client.get("/api/hub/repositories/").json()["results"]] == [
        "bsc-lt/salamandra-7b", "bsc-lt/salamandra-2b"]
    assert len(computed) == 2
