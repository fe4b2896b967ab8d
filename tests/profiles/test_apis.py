import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.notifications.models import Notification
from apps.profiles.models import ContactRequest, Profile
from tests.accounts.factories import PASSWORD, UserFactory
from tests.profiles.factories import image_upload, make_profile


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_my_profile_is_created_on_first_read_and_updated_with_lists(api):
    user = UserFactory(username="lucia")
    api.force_authenticate(user)
    first = api.get("/api/me/profile/")
    assert first.status_code == 200
    assert first.json()["handle"] == "lucia"
    assert first.json()["visibility"] == "members"
    assert "email" not in first.json()

    response = api.patch(
        "/api/me/profile/",
        {
            "headline": "NLP para lenguas cooficiales",
            "region": "GA",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
            "skills": [{"skill": "nlp", "level": 3}, {"skill": "evaluation", "level": 1}],
            "languages": [{"code": "gl", "level": "native"}, {"code": "fr", "level": "basic"}],
            "visibility": "public",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["orcid"] == "0000-0002-1825-0097"
    assert [s["skill"] for s in body["skills"]] == ["nlp", "evaluation"]
    assert {lang["code"] for lang in body["languages"]} == {"gl", "fr"}
    assert APIClient().get("/api/profiles/lucia/").status_code == 200


@pytest.mark.django_db
def test_invalid_input_is_400_with_field_messages(api):
    make_profile(handle="tomado")
    user = UserFactory()
    api.force_authenticate(user)
    response = api.patch(
        "/api/me/profile/",
        {
            "handle": "TOMADO",
            "orcid": "0000-0002-1825-0098",
            "skills": [{"skill": "alchemy", "level": 2}],
            "bio": "<script>alert(1)</script> hola",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"]
    assert set(body["errors"]) == {"handle", "orcid", "skills"}
    bad_level = api.patch("/api/me/profile/", {"skills": [{"skill": "nlp", "level": 9}]}, format="json")
    assert bad_level.status_code == 400
    # Nested errors are readable messages under a dotted path, never a Python repr.
    assert list(bad_level.json()["errors"]) == ["skills.0.level"]
    assert "ErrorDetail" not in bad_level.content.decode()
    # Form data cannot carry the lists: refused instead of silently dropping them (a 200).
    as_form = api.patch("/api/me/profile/", {"skills": '[{"skill": "nlp", "level": 9}]'}, format="multipart")
    assert as_form.status_code == 415


@pytest.mark.django_db
def test_bio_is_sanitised_in_the_api(api):
    profile = make_profile(bio="<script>alert(1)</script>**hola** <img src=x onerror=alert(1)>")
    body = api.get(f"/api/profiles/{profile.handle}/").json()
    assert "<script" not in body["bio_html"] and "onerror" not in body["bio_html"]
    assert "<strong>hola</strong>" in body["bio_html"]


@pytest.mark.django_db
def test_avatar_upload_and_removal(api):
    user = UserFactory()
    api.force_authenticate(user)
    ok = api.put("/api/me/profile/avatar/", {"avatar": image_upload()}, format="multipart")
    assert ok.status_code == 200
    assert ok.json()["avatar_url"].startswith("/media/avatars/")
    fake = api.put(
        "/api/me/profile/avatar/",
        {"avatar": image_upload("x.png", fmt="PNG").__class__("x.png", b"<?php echo 1; ?>", "image/png")},
        format="multipart",
    )
    assert fake.status_code == 400
    assert list(fake.json()["errors"]) == ["avatar"]
    assert api.delete("/api/me/profile/avatar/").status_code == 204
    assert api.get("/api/me/profile/").json()["avatar_url"] is None


@pytest.mark.django_db
def test_my_endpoints_need_authentication(api):
    for method, url in [
        ("get", "/api/me/profile/"), ("patch", "/api/me/profile/"), ("get", "/api/me/export/"),
        ("post", "/api/me/delete/"), ("get", "/api/me/contact-requests/"),
    ]:
        response = getattr(api, method)(url)
        assert response.status_code in (401, 403), url
        assert set(response.json()) == {"message", "errors"}


@pytest.mark.django_db
def test_export_returns_only_my_data(api):
    mine = make_profile(headline="Mía")
    make_profile(headline="Ajena")
    api.force_authenticate(mine.user)
    data = api.get("/api/me/export/").json()
    assert data["profile"]["headline"] == "Mía"
    assert data["account"]["email"] == mine.user.email
    assert "Ajena" not in str(data)


@pytest.mark.django_db
def test_account_deletion_api_needs_confirmation_and_password(api):
    profile = make_profile()
    user = profile.user
    api.force_authenticate(user)
    missing = api.post("/api/me/delete/", {"password": PASSWORD, "confirm": False}, format="json")
    assert missing.status_code == 400 and "confirm" in missing.json()["errors"]
    wrong = api.post("/api/me/delete/", {"password": "nope", "confirm": True}, format="json")
    assert wrong.status_code == 400 and "password" in wrong.json()["errors"]
    assert Profile.objects.filter(pk=profile.pk).exists()
    done = api.post("/api/me/delete/", {"password": PASSWORD, "confirm": True}, format="json")
    assert done.status_code == 204
    assert not Profile.objects.filter(pk=profile.pk).exists()
    assert not User.objects.get(pk=user.pk).is_active


@pytest.mark.django_db
def test_contact_request_round_trip_over_the_api(api):
    profile = make_profile(display_name="Destino")
    sender = UserFactory()
    api.force_authenticate(sender)
    created = api.post(f"/api/profiles/{profile.handle}/contact/", {"message": "¿Mentorizas en el hackatón?"})
    assert created.status_code == 201
    contact_id = created.json()["id"]
    assert api.post(f"/api/me/contact-requests/{contact_id}/accept/", {"reply": "yo no"}).status_code == 404

    api.force_authenticate(profile.user)
    inbox = api.get("/api/me/contact-requests/").json()
    assert [row["id"] for row in inbox["results"]] == [contact_id]
    accepted = api.post(f"/api/me/contact-requests/{contact_id}/accept/", {"reply": "¡Claro! Hablamos el lunes."})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = api.post(f"/api/me/contact-requests/{contact_id}/decline/")
    assert again.status_code == 409

    api.force_authenticate(sender)
    sent = api.get("/api/me/contact-requests/", {"box": "sent"}).json()["results"]
    assert sent[0]["reply"] == "¡Claro! Hablamos el lunes."
    assert Notification.objects.filter(recipient=sender, kind="profiles.contact_request").count() == 1
    assert ContactRequest.objects.get().status == "accepted"


@pytest.mark.django_db
def test_contact_request_list_query_count_is_constant(api, django_assert_num_queries):
    profile = make_profile()
    api.force_authenticate(profile.user)
    for _ in range(2):
        sender = UserFactory()
        make_profile(sender)
        make_contact = APIClient()
        make_contact.force_authenticate(sender)
        make_contact.post(f"/api/profiles/{profile.handle}/contact/", {"message": "Hola, ¿hablamos?"})
    with django_assert_num_queries(2):
        small = api.get("/api/me/contact-requests/")
    for _ in range(5):
        sender = UserFactory()
        make_contact = APIClient()
        make_contact.force_authenticate(sender)
        make_contact.post(f"/api/profiles/{profile.handle}/contact/", {"message": "Hola, ¿hablamos?"})
    with django_assert_num_queries(2):
        large = api.get("/api/me/contact-requests/")
    assert small.json()["count"] == 2 and large.json()["count"] == 7


@pytest.mark.django_db
def test_skill_taxonomy_is_public_data(api):
    skills = api.get("/api/skills/").json()
    assert {"nlp", "speech", "computer-vision", "llm-training", "evaluation", "mlops",
            "data-engineering", "ai-policy-ethics", "hpc"} <= {s["slug"] for s in skills}


@pytest.mark.django_db
def test_schema_documents_the_profile_endpoints(api):
    spec = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/profiles/", "/api/profiles/{handle}/", "/api/me/profile/", "/api/me/export/", "/api/me/delete/"):
        assert path in spec["paths"]


@pytest.mark.django_db
def test_avatar_declaring_a_huge_canvas_is_a_clean_400(api):
    """6,300 × 6,300 pixels in a few KB would cost ~240 MB to decode."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("1", (6300, 6300)).save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < 50_000
    api.force_authenticate(UserFactory())
    response = api.put(
        "/api/me/profile/avatar/",
        {"avatar": SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "4096 × 4096" in response.json()["errors"]["avatar"][0]
