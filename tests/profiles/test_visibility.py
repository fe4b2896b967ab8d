"""One selector decides who sees which profile; every path that lists or shows
profiles is checked for anonymous visitors, members, the owner and staff."""

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from rest_framework.test import APIClient

from apps.accounts import roles
from apps.profiles import selectors
from tests.accounts.factories import UserFactory
from tests.profiles.factories import make_profile

PAGES_AND_APIS = ["page_search", "api_search", "page_detail", "api_detail", "csv_export"]


@pytest.fixture
def people(db):
    owner = UserFactory()
    public = make_profile(display_name="Pública Pérez", visibility="public", contactable=True, skills=[("nlp", 2)])
    members = make_profile(display_name="Socia Sánchez", visibility="members", contactable=True, skills=[("nlp", 2)])
    hidden = make_profile(owner, display_name="Oculta Ortiz", visibility="hidden", contactable=True, skills=[("nlp", 3)])
    member = UserFactory()
    staff = UserFactory(is_staff=True)
    organiser = UserFactory()
    Group.objects.get(name=roles.ORGANISERS).user_set.add(organiser)
    return {
        "anonymous": None, "member": member, "owner": owner, "staff": staff,
        "organiser": organiser, "public": public, "members": members, "hidden": hidden,
    }


def names_seen(viewer, path: str, people) -> set[str]:
    """Display names of the three profiles a viewer finds through one path."""
    client = APIClient()
    if viewer is not None:
        client.force_login(viewer)
    names = {people[k].display_name for k in ("public", "members", "hidden")}
    if path == "page_search":
        body = client.get("/talent/", {"skill": "nlp"}).content.decode()
        return {name for name in names if name in body}
    if path == "api_search":
        results = client.get("/api/profiles/", {"skill": "nlp"}).json()["results"]
        return {row["display_name"] for row in results}
    if path in ("page_detail", "api_detail"):
        seen = set()
        for key in ("public", "members", "hidden"):
            handle = people[key].handle
            url = f"/talent/{handle}/" if path == "page_detail" else f"/api/profiles/{handle}/"
            response = client.get(url)
            assert response.status_code in (200, 404)
            if response.status_code == 200:
                assert people[key].display_name in response.content.decode()
                seen.add(people[key].display_name)
            else:
                assert people[key].display_name not in response.content.decode()
        return seen
    if path == "csv_export":
        response = client.get("/talent/export.csv", {"skill": "nlp"})
        if response.status_code != 200:
            return set()
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        return {row["name"] for row in rows}
    raise AssertionError(path)


EXPECTED = {
    # viewer: which profiles each may see (the owner owns the hidden one)
    "anonymous": {"public"},
    "member": {"public", "members"},
    "owner": {"public", "members", "hidden"},
    "staff": {"public", "members", "hidden"},
}


@pytest.mark.parametrize("viewer", list(EXPECTED))
@pytest.mark.parametrize("path", ["page_search", "api_search", "page_detail", "api_detail"])
def test_every_path_shows_exactly_what_the_viewer_may_see(people, viewer, path):
    expected = {people[key].display_name for key in EXPECTED[viewer]}
    assert names_seen(people[viewer], path, people) == expected


@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_selector_is_the_same_rule(people, viewer):
    user = people[viewer] or AnonymousUser()
    visible = set(selectors.profile_visible_to(user).values_list("display_name", flat=True))
    expected = {people[key].display_name for key in EXPECTED[viewer]}
    assert visible == expected


@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_facets_count_only_visible_profiles(people, viewer):
    user = people[viewer] or AnonymousUser()
    search = selectors.TalentSearch(skills=["nlp"])
    facets = selectors.talent_facets(viewer=user, search=search)
    nlp = next(option for option in facets["skill"] if option["value"] == "nlp")
    assert nlp["count"] == facets["total"] == len(EXPECTED[viewer])


def test_csv_export_is_for_organisers_and_staff_only(people):
    client = APIClient()
    assert client.get("/talent/export.csv").status_code == 302  # to the login page
    for viewer in ("member", "owner"):
        client.force_login(people[viewer])
        assert client.get("/talent/export.csv").status_code == 403
    client.force_login(people["organiser"])
    assert names_seen(people["organiser"], "csv_export", people) == {"Pública Pérez", "Socia Sánchez"}
    # Hidden profiles never leave the platform in a file, not even for staff.
    assert names_seen(people["staff"], "csv_export", people) == {"Pública Pérez", "Socia Sánchez"}


def test_csv_export_contains_only_opted_in_members_and_no_email(people):
    make_profile(display_name="Sin Permiso", visibility="public", contactable=False, skills=[("nlp", 1)])
    client = APIClient()
    client.force_login(people["organiser"])
    response = client.get("/talent/export.csv", {"skill": "nlp"})
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Sin Permiso" not in body
    assert "@example.org" not in body
    assert "Pública Pérez" in body


def test_hidden_and_members_only_profiles_are_404_not_403(people):
    client = APIClient()
    for key in ("members", "hidden"):
        assert client.get(f"/talent/{people[key].handle}/").status_code == 404
        response = client.get(f"/api/profiles/{people[key].handle}/")
        assert response.status_code == 404
        assert people[key].display_name not in response.content.decode()


def test_deactivated_members_vanish_for_everyone_but_staff(people):
    people["public"].user.is_active = False
    people["public"].user.save()
    assert not selectors.profile_visible_to(AnonymousUser()).filter(pk=people["public"].pk).exists()
    assert not selectors.profile_visible_to(people["member"]).filter(pk=people["public"].pk).exists()
    assert selectors.profile_visible_to(people["staff"]).filter(pk=people["public"].pk).exists()


def test_contact_is_offered_only_where_the_profile_is_visible(people):
    client = APIClient()
    client.force_login(people["member"])
    hidden = client.post(f"/api/profiles/{people['hidden'].handle}/contact/", {"message": "Hola, ¿hablamos de un proyecto?"})
    assert hidden.status_code == 404
    ok = client.post(f"/api/profiles/{people['members'].handle}/contact/", {"message": "Hola, ¿hablamos de un proyecto?"})
    assert ok.status_code == 201
    anonymous = APIClient().post(f"/api/profiles/{people['public'].handle}/contact/", {"message": "Hola, ¿hablamos?"})
    assert anonymous.status_code in (401, 403)


def test_other_apps_get_only_visible_data(people):
    from apps.profiles.services import profile_update
    from tests.profiles.factories import prove_login

    for key, username in (("public", "pub-hf"), ("members", "mem-hf"), ("hidden", "hid-hf")):
        profile = people[key]
        prove_login(profile.user, "huggingface", username)
        profile_update(actor=profile.user, profile=profile, data={"hf_username": username})
    assert selectors.linked_hf_usernames() == ["pub-hf"]
    assert selectors.linked_hf_usernames(viewer=people["member"]) == ["mem-hf", "pub-hf"]
    skills = selectors.skills_for_users([people[k].user_id for k in ("public", "members", "hidden")])
    assert skills[people["hidden"].user_id] == []
    assert skills[people["public"].user_id]


def test_csv_export_query_count_does_not_grow_with_rows(people, django_assert_num_queries):
    client = APIClient()
    client.force_login(people["organiser"])
    # the session with its member (and whether their own profile is unlisted), role, profiles,
    # skills, languages
    with django_assert_num_queries(5):
        small = client.get("/talent/export.csv", {"skill": "nlp"})
    for _ in range(6):
        make_profile(contactable=True, skills=[("nlp", 1), ("hpc", 2)], languages=[("es", "native")])
    with django_assert_num_queries(5):
        large = client.get("/talent/export.csv", {"skill": "nlp"})
    assert len(small.content.decode().splitlines()) == 3
    assert len(large.content.decode().splitlines()) == 9


def test_csv_cells_cannot_become_spreadsheet_formulas(people):
    make_profile(display_name="=HYPERLINK(\"http://evil\")", contactable=True, skills=[("nlp", 1)])
    client = APIClient()
    client.force_login(people["organiser"])
    body = client.get("/talent/export.csv", {"skill": "nlp"}).content.decode()
    assert "'=HYPERLINK" in body
