from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts import roles
from apps.hub.references import RepositoryReference, register_reference_source, registered_reference_sources, unregister_reference_source
from tests.accounts.factories import UserFactory
from tests.hub import factories


def make_catalogue(n_models: int, n_datasets: int = 1):
    owner = factories.owner("bsc-lt")
    items = [factories.remote(f"bsc-lt/modelo-{i}", downloads=100 + i, likes=i,
                              languages=("es", "ca") if i % 2 else ("eu",)) for i in range(n_models)]
    items += [factories.remote(f"bsc-lt/corpus-{i}", kind="dataset", task="text-classification",
                               licence="cc-by-4.0", languages=("gl",)) for i in range(n_datasets)]
    factories.catalogue(owner, items)
    return owner


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 12])
def test_catalogue_query_count_does_not_grow(client, django_assert_num_queries, size):
    make_catalogue(size)
    with django_assert_num_queries(4):  # count, page, the facets (one statement), the generations (once for page and fragment)
        response = client.get("/models/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == size


@pytest.mark.django_db
def test_catalogue_filters_by_language_task_licence_owner_and_sorts(client):
    make_catalogue(6, 2)
    factories.catalogue(factories.owner("hitz"), [factories.remote("hitz/latxa", downloads=5, likes=99,
                                                                   languages=("eu",), task="text-generation")])

    catalan = client.get("/models/", {"language": "ca"}).context["page"].object_list
    assert [r.repo_id for r in catalan] == ["bsc-lt/modelo-5", "bsc-lt/modelo-3", "bsc-lt/modelo-1"]
    basque = client.get("/models/", {"language": "eu", "sort": "likes"}).context["page"].object_list
    assert [r.repo_id for r in basque][0] == "hitz/latxa"
    assert [r.repo_id for r in client.get("/models/", {"task": "text-generation"}).context["page"]] == ["hitz/latxa"]
    assert len(client.get("/models/", {"owner": "hitz"}).context["page"].object_list) == 1
    datasets = client.get("/models/", {"kind": "dataset", "licence": "cc-by-4.0", "language": "gl"})
    assert [r.repo_id for r in datasets.context["page"]] == ["bsc-lt/corpus-0", "bsc-lt/corpus-1"]
    assert client.get("/models/", {"sort": "nonsense"}).status_code == 200
    html = client.get("/models/").content.decode()
    assert '<option value="gl">gl (0)</option>' in html  # featured languages always offered


@pytest.mark.django_db
def test_removed_and_private_repositories_stay_out_of_the_catalogue(client):
    owner = make_catalogue(2)
    factories.catalogue(owner, [factories.remote("bsc-lt/modelo-0"), factories.remote("bsc-lt/secret", private=True)])
    listed = [r.repo_id for r in client.get("/models/").context["page"]]
    assert listed == ["bsc-lt/modelo-0"]
    assert client.get("/models/model/bsc-lt/secret/").status_code == 404
    removed = client.get("/models/model/bsc-lt/modelo-1/").content.decode()
    assert "ya no está en el Hub" in removed or "no longer on the Hub" in removed


@pytest.mark.django_db
def test_repository_page_shows_trend_chart_and_references(client, django_assert_num_queries):
    owner = factories.owner("bsc-lt")
    factories.weekly_history(owner, "bsc-lt/salamandra-7b", weeks=6, start=100, step=15)

    def grants(*, kind, repo_id):
        if repo_id == "bsc-lt/salamandra-7b":
            yield RepositoryReference(section="Compute grants", label="MareNostrum 5 · 2,000 GPU-hours", url="/compute/1/")

    app_sources = len(registered_reference_sources())  # one query each
    register_reference_source("test-grants", grants)
    try:
        # repository, trend and the topics' generations (once for the page and its fragment)
        with django_assert_num_queries(3 + app_sources):
            response = client.get("/models/model/bsc-lt/salamandra-7b/")
    finally:
        unregister_reference_source("test-grants")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="chart chart-line"' in html
    assert html.count("<circle") >= 6
    assert "MareNostrum 5 · 2,000 GPU-hours" in html and 'href="/compute/1/"' in html
    assert "https://huggingface.co/bsc-lt/salamandra-7b" in html
    assert client.get("/models/model/bsc-lt/missing/").status_code == 404
    assert client.get("/models/dataset/bsc-lt/salamandra-7b/").status_code == 404


@pytest.mark.django_db
def test_repository_charts_are_drawn_once_for_every_member_until_the_catalogue_changes(client, monkeypatch):
    """The trend charts do not depend on who asks: members share one drawing of them (a
    shared fragment), drawn again after a write to the Hub catalogue."""
    from django.utils.safestring import mark_safe

    from apps.core.summaries import invalidate
    from apps.hub import views

    owner = factories.owner("bsc-lt")
    factories.weekly_history(owner, "bsc-lt/salamandra-7b", weeks=6, start=100, step=15)
    drawn = []
    def line_chart(points, **kwargs):
        drawn.append(kwargs["title"])
        return mark_safe(f"<svg>{len(points)}</svg>")

    monkeypatch.setattr(views, "line_chart", line_chart)
    pages = []
    for _member in range(2):
        client.force_login(UserFactory())
        pages.append(client.get("/models/model/bsc-lt/salamandra-7b/").content.decode())
    assert len(drawn) == 2  # downloads and likes, once for both members
    assert all("<svg>" in html and "data-trend-chart" in html for html in pages)
    invalidate("hub")
    client.get("/models/model/bsc-lt/salamandra-7b/")
    assert len(drawn) == 4


@pytest.mark.django_db
def test_repository_page_escapes_hub_text(client):
    owner = factories.owner("grupo")
    factories.catalogue(owner, [factories.remote("grupo/x", tags=["<script>alert(1)</script>"], task="<b>t</b>")])
    html = client.get("/models/model/grupo/x/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db
def test_owner_dashboard_totals_month_change_gainers_and_unused(client):
    owner = factories.owner("bsc-lt")
    today = timezone.localdate()
    factories.history(owner, {
        today - timedelta(days=31): [factories.remote("bsc-lt/a", downloads=100), factories.remote("bsc-lt/b", downloads=50),
                                     factories.remote("bsc-lt/c", downloads=0)],
        today: [factories.remote("bsc-lt/a", downloads=174), factories.remote("bsc-lt/b", downloads=26),
                factories.remote("bsc-lt/c", downloads=0), factories.remote("bsc-lt/new", downloads=500)],
    })
    response = client.get("/models/owners/bsc-lt/")
    adoption = response.context["adoption"]
    assert adoption["totals"]["downloads"] == 700
    # month over month compares the repositories that existed then; the new one is not "growth"
    assert (adoption["previous_downloads"], adoption["change"], adoption["change_pct"]) == (150, 50, 33.3)
    assert [r.repo_id for r in adoption["gainers"]] == ["bsc-lt/a"]
    assert [r.repo_id for r in adoption["unused"]] == ["bsc-lt/c"]
    html = response.content.decode()
    assert 'data-stat="change">+50' in html
    assert '<svg class="chart chart-line"' in html
    assert "Sincronizar ahora" not in html and "Sync now" not in html  # visitors cannot sync
    assert client.get("/models/owners/nobody/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 9])
def test_owner_list_query_count(client, django_assert_num_queries, size):
    for i in range(size):
        factories.catalogue(factories.owner(f"grupo-{i}"), [factories.remote(f"grupo-{i}/m")])
    with django_assert_num_queries(2):
        response = client.get("/models/owners/")
    assert len(response.context["page"].object_list) == size


@pytest.mark.django_db
def test_sync_now_for_owner_members_and_organisers_only(client, django_capture_on_commit_callbacks):
    member, stranger = UserFactory(), UserFactory()
    owner = factories.owner("grupo", member=member)

    assert client.post("/models/owners/grupo/sync/").status_code == 302  # to the login page
    client.force_login(stranger)
    client.post("/models/owners/grupo/sync/")
    assert not owner_queued(owner)

    client.force_login(member)
    page = client.get("/models/owners/grupo/").content.decode()
    assert "/models/owners/grupo/sync/" in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/models/owners/grupo/sync/", follow=True)
    assert owner_queued(owner) and len(callbacks) == 1
    assert response.status_code == 200
    again = client.post("/models/owners/grupo/sync/", follow=True).content.decode()
    assert "Ya hay una sincronización de este propietario en cola o en curso." in again


def owner_queued(owner) -> bool:
    from django.core.cache import cache

    return cache.get(f"hub:sync-queued:{owner.pk}") is not None


@pytest.mark.django_db
def test_organisers_add_owners_with_errors_next_to_fields(client, django_capture_on_commit_callbacks):
    organiser = UserFactory()
    organiser.groups.add(Group.objects.get(name=roles.ORGANISERS))
    client.force_login(UserFactory())
    assert "Track a Hub owner" not in client.get("/models/owners/").content.decode()
    assert client.post("/models/owners/", {"name": "x", "kind": "org"}).status_code == 200
    from apps.hub.models import HubOwner

    assert not HubOwner.objects.exists()

    client.force_login(organiser)
    bad = client.post("/models/owners/", {"name": "no spaces", "kind": "org"})
    assert bad.context["form"].errors["name"]
    with django_capture_on_commit_callbacks() as callbacks:
        ok = client.post("/models/owners/", {"name": "projecte-aina", "kind": "org", "display_name": "Projecte AINA"})
    assert ok.status_code == 302 and ok["Location"] == "/models/owners/projecte-aina/"
    assert len(callbacks) == 1  # the first sync is queued after commit
    dup = client.post("/models/owners/", {"name": "PROJECTE-AINA", "kind": "org"})
    assert dup.context["form"].errors["name"]


@pytest.mark.django_db
def test_unicode_repository_names_have_working_pages(client):
    owner = factories.owner("comunidad")
    factories.catalogue(owner, [factories.remote("comunidad/modelo-català-ñ", languages=("ca",))])
    catalogue = client.get("/models/", {"language": "ca"}).content.decode()
    assert "/models/model/comunidad/modelo-catal%C3%A0-%C3%B1/" in catalogue
    page = client.get("/models/model/comunidad/modelo-catal%C3%A0-%C3%B1/")
    assert page.status_code == 200 and "comunidad/modelo-català-ñ" in page.content.decode()


@pytest.mark.django_db
def test_home_page_counts_live_public_repositories_and_their_downloads(client):
    owner = make_catalogue(3, 1)
    factories.catalogue(owner, [factories.remote("bsc-lt/modelo-0", downloads=174),
                                factories.remote("bsc-lt/secret", downloads=999, private=True)])
    numbers = client.get("/").context["numbers"]
    assert (numbers["hub_repositories"], numbers["hub_downloads_last_30_days"]) == (1, 174)


@pytest.mark.django_db
def test_a_profile_hidden_leaves_a_repository_page_at_once_for_visitors_and_members(client):
    """The page is shared (visitors' cache, members' fragment); a profile that refers to the
    repository and is then hidden, or whose owner is deactivated, is gone from the next page."""
    from django.test import Client

    from apps.profiles.services import profile_update
    from tests.profiles.factories import make_profile

    owner = factories.owner("bsc-lt")
    factories.catalogue(owner, [factories.remote("bsc-lt/salamandra-7b")])
    ana = make_profile(display_name="Ana Referente", hf_username="bsc-lt", proven=True)
    url = "/models/model/bsc-lt/salamandra-7b/"
    member = Client()
    member.force_login(UserFactory())
    assert "Ana Referente" in client.get(url).content.decode()
    assert "Ana Referente" in member.get(url).content.decode()
    profile_update(actor=ana.user, profile=ana, data={"visibility": "hidden"})
    assert "Ana Referente" not in client.get(url).content.decode()
    assert "Ana Referente" not in member.get(url).content.decode()

    factories.catalogue(factories.owner("bea-lab"), [factories.remote("bea-lab/voz-1b")])
    bea = make_profile(display_name="Bea Referente", hf_username="bea-lab", proven=True)
    url = "/models/model/bea-lab/voz-1b/"
    assert "Bea Referente" in member.get(url).content.decode()
    assert "Bea Referente" in client.get(url).content.decode()
    bea.user.is_active = False  # what staff do in the admin
    bea.user.save()
    assert "Bea Referente" not in client.get(url).content.decode()
    assert "Bea Referente" not in member.get(url).content.decode()
