import json

import pytest
from django.contrib.auth.models import Group

from apps.accounts import roles
from apps.accounts.models import User
from apps.profiles.models import ContactRequest, Profile
from apps.profiles.services import profile_avatar_set
from tests.accounts.factories import PASSWORD, UserFactory
from tests.profiles.factories import image_upload, make_profile


def edit_data(**overrides):
    data = {
        "handle": "nueva-persona", "display_name": "Nueva Persona", "headline": "Data engineer",
        "bio": "Me gusta **Airflow**.", "region": "AN", "country": "", "city": "Sevilla",
        "affiliation_name": "", "affiliation_kind": "", "hf_username": "", "github_username": "",
        "orcid": "", "website": "", "visibility": "public",
        "skill__data-engineering": "3", "language__es": "native", "language__en": "professional",
        "other_language_0": "fr", "other_language_level_0": "basic",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_edit_page_creates_the_profile_lazily_and_saves_everything(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/talent/me/edit/").status_code == 200
    assert Profile.objects.filter(user=user).exists()  # made on first visit for non-sign-up accounts
    response = client.post("/talent/me/edit/", edit_data(avatar=image_upload(), open_to_mentoring="on"))
    assert response.status_code == 302
    assert response.url == "/talent/nueva-persona/"
    profile = Profile.objects.get(user=user)
    assert profile.avatar and profile.open_to_mentoring
    assert set(profile.languages.values_list("code", flat=True)) == {"es", "en", "fr"}
    page = client.get(response.url).content.decode()
    assert "<strong>Airflow</strong>" in page
    assert "Ingeniería de datos" in page  # Spanish by default


@pytest.mark.django_db
def test_edit_page_shows_errors_next_to_the_fields_and_keeps_the_input(client):
    make_profile(handle="ocupado")
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/talent/me/edit/",
        edit_data(handle="OCUPADO", orcid="1234-5678-9012-3456", website="ftp://x", avatar=image_upload("x.png").__class__("x.png", b"not an image", "image/png")),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"handle", "orcid", "website", "avatar"} <= set(form.errors)
    html = response.content.decode()
    orcid_block = html[html.index('data-field="orcid"'):html.index('name="orcid"')]
    assert 'class="errorlist' in orcid_block and "dígito de control" in orcid_block
    assert 'value="OCUPADO"' in html
    assert Profile.objects.get(user=user).handle != "OCUPADO"


@pytest.mark.django_db
def test_edit_page_requires_login(client):
    response = client.get("/talent/me/edit/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
def test_contact_request_from_the_profile_page_and_answer_from_the_inbox(client):
    profile = make_profile(display_name="Mentora")
    sender = UserFactory()
    client.force_login(sender)
    page = client.get(f"/talent/{profile.handle}/").content.decode()
    assert 'action="/talent/' in page and "/contact/" in page
    assert profile.user.email not in page
    short = client.post(f"/talent/{profile.handle}/contact/", {"message": "hola"})
    assert short.status_code == 400 and "message" in short.context["contact_form"].errors
    sent = client.post(f"/talent/{profile.handle}/contact/", {"message": "¿Serías jurado en mayo?"})
    assert sent.status_code == 302
    contact = ContactRequest.objects.get()

    client.force_login(profile.user)
    inbox = client.get("/talent/contacts/").content.decode()
    assert "¿Serías jurado en mayo?" in inbox
    assert client.post(f"/talent/contacts/{contact.id}/accept/", {"reply": "Sí, escríbeme aquí."}).status_code == 302
    contact.refresh_from_db()
    assert contact.status == "accepted"

    client.force_login(sender)
    assert "Sí, escríbeme aquí." in client.get("/talent/contacts/").content.decode()
    assert client.post(f"/talent/contacts/{contact.id}/decline/").status_code == 404


@pytest.mark.django_db
def test_contacts_page_query_count_is_constant(client, django_assert_num_queries):
    profile = make_profile()
    client.force_login(profile.user)
    from apps.profiles.services import contact_request_send

    contact_request_send(sender=make_profile().user, profile=profile, message="hola, ¿hablamos?")
    with django_assert_num_queries(4):
        client.get("/talent/contacts/")
    for _ in range(4):
        contact_request_send(sender=make_profile().user, profile=profile, message="hola, ¿hablamos?")
    with django_assert_num_queries(4):
        response = client.get("/talent/contacts/")
    assert response.context["page"].paginator.count == 5


@pytest.mark.django_db
def test_account_page_downloads_data_and_deletes_with_password(client):
    profile = make_profile(headline="Para borrar")
    client.force_login(profile.user)
    download = client.get("/talent/me/account/export.json")
    assert download["Content-Disposition"].startswith("attachment")
    assert json.loads(download.content)["profile"]["headline"] == "Para borrar"

    wrong = client.post("/talent/me/account/", {"password": "not-mine"})
    assert wrong.status_code == 400 and "password" in wrong.context["form"].errors
    done = client.post("/talent/me/account/", {"password": PASSWORD})
    assert done.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not Profile.objects.filter(pk=profile.pk).exists()
    assert not User.objects.get(pk=profile.user_id).is_active
    assert client.get(f"/talent/{profile.handle}/").status_code == 404


@pytest.mark.django_db
def test_export_link_only_for_organisers(client):
    make_profile()
    member = UserFactory()
    client.force_login(member)
    assert "export.csv" not in client.get("/talent/").content.decode()
    Group.objects.get(name=roles.ORGANISERS).user_set.add(member)
    assert "export.csv" in client.get("/talent/").content.decode()


@pytest.mark.django_db
def test_home_counts_public_profiles(client):
    make_profile(visibility="public")
    make_profile(visibility="members")
    assert 'data-stat="public_profiles">1<' in client.get("/").content.decode()


@pytest.mark.django_db
def test_seed_demo_creates_about_two_hundred_varied_profiles_idempotently(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    total = Profile.objects.count()
    assert 190 <= total <= 230
    assert Profile.objects.filter(visibility="hidden").exists()
    assert Profile.objects.filter(region="XX").exists()
    assert Profile.objects.exclude(search_vector=None).count() == total
    call_command("seed_demo")
    assert Profile.objects.count() == total


@pytest.mark.django_db
def test_results_and_facet_options_are_written_as_a_person_uses_them(client):
    """Each checkbox is labelled by its option (id and `for` agree), chosen ones stay checked,
    options no result holds are marked empty; a result
    without a picture shows its initial, hidden from screen readers."""
    make_profile(display_name="ana garcía", skills=[("nlp", 2)])
    bea = make_profile(display_name="Bea", skills=[("nlp", 1)])
    with_picture = profile_avatar_set(actor=bea.user, profile=bea, upload=image_upload())
    page = client.get("/talent/", {"skill": "nlp"}).content.decode()
    assert (
        '<div class="facet-option">\n  <input type="checkbox" id="f-skill-nlp" name="skill" value="nlp" checked'
        ' data-autosubmit-check>\n  <label for="f-skill-nlp">'
    ) in page
    assert '<span class="count">2</span></label>' in page
    assert (
        '<div class="facet-option is-empty">\n  <input type="checkbox" id="f-skill-speech" name="skill" value="speech"'
        ' data-autosubmit-check>'
    ) in page
    assert '<span class="avatar avatar-md avatar-initial" aria-hidden="true">A</span>' in page
    assert f'<img class="avatar avatar-md" src="{with_picture.avatar.url}" alt=""' in page


@pytest.mark.django_db
def test_a_result_card_shows_the_person_in_the_readers_language_with_their_text_escaped(client):
    """The card of a result: linked name, headline, where, six skills at most, languages
    with their level, and the flags the person set, translated; their own text is escaped."""
    skills = [("nlp", 1), ("speech", 2), ("computer-vision", 3), ("multimodal", 1), ("agents", 2), ("mlops", 3), ("evaluation", 1)]
    make_profile(
        display_name="Ane <b>Etxeberria</b>", handle="ane", headline="Voz y euskera", region="PV", city="Bilbao",
        affiliation_name="EHU", skills=skills, languages=[("eu", "native")], open_to_mentoring=True,
        looking_for_team=True,
    )
    make_profile(display_name="Bare", handle="bare")
    page = client.get("/talent/", {"sort": "name"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = page[page.index('<li class="card profile-card" data-profile="ane">'):]
    card = card[: card.index("</li>\n", card.index('<ul class="flags">'))]
    assert '<h3><a href="/talent/ane/">Ane &lt;b&gt;Etxeberria&lt;/b&gt;</a></h3>' in card
    assert '<p class="headline">Voz y euskera</p>' in card
    assert '<p class="muted">Euskadi · Bilbao · EHU</p>' in card
    assert card.count('<li class="chip">') == 6
    assert '<li class="chip chip-language" title="Native or bilingual">EU</li>' in card
    assert '<ul class="flags"><li>Open to mentoring</li><li>Looking for a hackathon team</li></ul>' in card
    bare = page[page.index('data-profile="bare"'):]
    assert '<p class="headline">' not in bare[: bare.index("</li>")]
    spanish = client.get("/talent/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<li>Disponible para mentorizar</li>" in spanish
    assert 'title="Nativo o bilingüe">EU</li>' in spanish


@pytest.mark.django_db
def test_a_profiles_body_is_drawn_once_for_every_member_and_again_after_it_changes(client, monkeypatch):
    """About, skills, languages and links do not depend on who reads them: members share one
    drawing (a shared fragment) until the profile changes, then see the change at once;
    what depends on the reader (the contact form, the edit button) stays their own."""
    from apps.profiles import selectors
    from apps.profiles.services import profile_update

    ana = make_profile(display_name="Ana", bio="Trabajo con **voz**.", skills=[("speech", 3)])
    drawn = []
    loaded = selectors.with_lists_loaded
    monkeypatch.setattr(selectors, "with_lists_loaded", lambda profile: drawn.append(profile.pk) or loaded(profile))
    pages = []
    for _member in range(2):
        client.force_login(UserFactory())
        pages.append(client.get(f"/talent/{ana.handle}/").content.decode())
    assert drawn == [ana.pk]
    assert all("<strong>voz</strong>" in page and 'id="contact"' in page for page in pages)
    client.force_login(ana.user)
    own = client.get(f"/talent/{ana.handle}/").content.decode()
    assert 'id="contact"' not in own and "/talent/me/edit/" in own and drawn == [ana.pk]
    profile_update(actor=ana.user, profile=ana, data={}, skills=[{"skill": "nlp", "level": 2}])
    client.force_login(UserFactory())
    changed = client.get(f"/talent/{ana.handle}/").content.decode()
    assert drawn == [ana.pk, ana.pk]
    assert "Procesamiento del lenguaje natural" in changed
