from io import BytesIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from apps.accounts.models import User
from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from apps.core.rich_text import render_markdown
from apps.notifications.models import Notification
from apps.accounts import personal_data
from apps.accounts import services as account_services
from apps.profiles import selectors, services
from apps.profiles.models import ContactRequest, Profile, ProfileSkill
from apps.profiles.validation import normalise_orcid
from tests.accounts.factories import PASSWORD, UserFactory
from tests.profiles.factories import image_upload, make_profile


def errors_of(call) -> dict:
    with pytest.raises(InvalidInput) as info:
        call()
    return info.value.errors


@pytest.mark.django_db
def test_signing_up_creates_a_profile_with_a_free_handle(client):
    make_profile(handle="nueva")
    response = client.post(
        "/accounts/signup/",
        {"email": "nueva@example.org", "username": "Nueva", "password1": "una-clave-larga-77",
         "password2": "una-clave-larga-77"},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user__email="nueva@example.org")
    assert profile.handle.startswith("nueva-")  # "nueva" was taken
    assert profile.visibility == "members"  # private enough by default


@pytest.mark.django_db
def test_profile_ensure_is_idempotent():
    user = UserFactory(username="ana")
    first = services.profile_ensure(user=user)
    assert services.profile_ensure(user=user) == first
    assert first.handle == "ana"
    assert Profile.objects.count() == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("0000000218250097", "0000-0002-1825-0097"),
    ],
)
def test_orcid_checksum_iso_7064_accepts_valid_ids(value, expected):
    assert normalise_orcid(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0000-0002-1825-0098", "0000-0002-1825", "abcd-0002-1825-0097"])
def test_bad_orcid_is_a_field_error(value):
    profile = make_profile()
    errors = errors_of(lambda: services.profile_update(actor=profile.user, profile=profile, data={"orcid": value}))
    assert list(errors) == ["orcid"]


@pytest.mark.django_db
def test_handle_clash_is_case_insensitive_in_the_service_and_the_database():
    make_profile(handle="Marta-ML")
    other = make_profile()
    errors = errors_of(
        lambda: services.profile_update(actor=other.user, profile=other, data={"handle": "marta-ml"})
    )
    assert list(errors) == ["handle"]
    other.refresh_from_db()
    other.handle = "MARTA-ml"
    with pytest.raises(IntegrityError):
        other.save()


@pytest.mark.django_db
@pytest.mark.parametrize("handle", ["me", "a", "-bad", "con espacio", "x" * 41])
def test_reserved_or_malformed_handles_are_refused(handle):
    profile = make_profile()
    assert "handle" in errors_of(
        lambda: services.profile_update(actor=profile.user, profile=profile, data={"handle": handle})
    )


@pytest.mark.django_db
def test_unknown_skill_and_language_are_field_errors_and_nothing_changes():
    profile = make_profile(skills=[("nlp", 2)], headline="Antes")
    errors = errors_of(
        lambda: services.profile_update(
            actor=profile.user, profile=profile, data={"headline": "Después"},
            skills=[{"skill": "astrology", "level": 2}],
            languages=[{"code": "xx", "level": "native"}],
        )
    )
    assert set(errors) == {"skills", "languages"}
    profile.refresh_from_db()
    assert profile.headline == "Antes"
    assert list(ProfileSkill.objects.filter(profile=profile).values_list("skill__slug", flat=True)) == ["nlp"]


@pytest.mark.django_db
def test_other_country_needs_a_country_and_spanish_regions_clear_it():
    profile = make_profile()
    assert "country" in errors_of(
        lambda: services.profile_update(actor=profile.user, profile=profile, data={"region": "XX"})
    )
    services.profile_update(actor=profile.user, profile=profile, data={"region": "XX", "country": "Portugal"})
    assert profile.region_label == "Portugal"
    services.profile_update(actor=profile.user, profile=profile, data={"region": "GA"})
    profile.refresh_from_db()
    assert (profile.region, profile.country) == ("GA", "")


@pytest.mark.django_db
def test_bad_links_are_field_errors():
    profile = make_profile()
    errors = errors_of(
        lambda: services.profile_update(
            actor=profile.user, profile=profile,
            data={"website": "javascript:alert(1)", "github_username": "no--double", "hf_username": "bad name"},
        )
    )
    assert set(errors) == {"website", "github_username", "hf_username"}


@pytest.mark.django_db
def test_script_in_bio_is_stored_but_never_rendered():
    profile = make_profile(bio="Hola **mundo** <script>alert('x')</script> [x](javascript:alert(1))")
    html = render_markdown(profile.bio)
    assert "<strong>mundo</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


@pytest.mark.django_db
def test_only_the_owner_or_staff_may_edit():
    profile = make_profile()
    with pytest.raises(NotAllowed):
        services.profile_update(actor=UserFactory(), profile=profile, data={"headline": "x"})
    with pytest.raises(NotAllowed):
        services.profile_update(actor=AnonymousUser(), profile=profile, data={"headline": "x"})
    services.profile_update(actor=UserFactory(is_staff=True), profile=profile, data={"headline": "moderado"})
    profile.refresh_from_db()
    assert profile.headline == "moderado"


@pytest.mark.django_db
def test_search_vector_follows_profile_and_skill_changes():
    profile = make_profile(display_name="Irene", headline="Ingeniera", skills=[("speech", 2)])
    found = lambda text: list(  # noqa: E731
        selectors.talent_search(viewer=profile.user, search=selectors.TalentSearch(q=text))
    )
    assert found("speech") == [profile]
    assert found("habla") == [profile]  # the Spanish skill name is indexed too
    services.profile_update(actor=profile.user, profile=profile, data={}, skills=[{"skill": "hpc", "level": 3}])
    assert found("speech") == []
    assert found("high perf") == [profile]  # prefix matching


# --- Avatars --------------------------------------------------------------------------------


def _exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 0.0)}  # GPS info
    return exif.tobytes()


@pytest.mark.django_db
def test_avatar_is_reencoded_square_bounded_and_without_metadata():
    profile = make_profile()
    upload = image_upload("holiday.jpg", size=(1600, 900), fmt="JPEG", exif=_exif_with_gps())
    services.profile_avatar_set(actor=profile.user, profile=profile, upload=upload)
    profile.refresh_from_db()
    assert profile.avatar.name.startswith("avatars/") and profile.avatar.name.endswith(".jpg")
    with profile.avatar.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert image.size == (services.AVATAR_SIZE, services.AVATAR_SIZE)
        assert not image.getexif()
        assert "exif" not in image.info


@pytest.mark.django_db
def test_transparent_png_and_gif_are_accepted():
    profile = make_profile()
    buffer = BytesIO()
    Image.new("RGBA", (50, 80), (0, 0, 0, 0)).save(buffer, format="PNG")
    services.profile_avatar_set(
        actor=profile.user, profile=profile, upload=SimpleUploadedFile("t.png", buffer.getvalue())
    )
    services.profile_avatar_set(actor=profile.user, profile=profile, upload=image_upload("a.gif", fmt="GIF"))
    profile.refresh_from_db()
    assert profile.avatar


@pytest.mark.django_db
def test_non_image_and_oversized_uploads_are_field_errors():
    profile = make_profile()
    fake = SimpleUploadedFile("cv.png", b"%PDF-1.7 not an image at all", content_type="image/png")
    assert list(errors_of(lambda: services.profile_avatar_set(actor=profile.user, profile=profile, upload=fake))) == ["avatar"]
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024), content_type="image/png")
    errors = errors_of(lambda: services.profile_avatar_set(actor=profile.user, profile=profile, upload=big))
    assert "2 MB" in errors["avatar"][0]
    buffer = BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")
    bmp = SimpleUploadedFile("a.bmp", buffer.getvalue())
    assert "avatar" in errors_of(lambda: services.profile_avatar_set(actor=profile.user, profile=profile, upload=bmp))
    profile.refresh_from_db()
    assert not profile.avatar


@pytest.mark.django_db
def test_replacing_an_avatar_deletes_the_old_file_after_commit(django_capture_on_commit_callbacks):
    profile = make_profile()
    services.profile_avatar_set(actor=profile.user, profile=profile, upload=image_upload())
    old = profile.avatar.name
    storage = profile.avatar.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_avatar_set(actor=profile.user, profile=profile, upload=image_upload())
    assert not storage.exists(old)
    assert storage.exists(profile.avatar.name)


# --- Contact requests -------------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_request_notifies_then_acceptance_notifies_the_sender_with_the_reply():
    profile = make_profile(display_name="Marta")
    sender = UserFactory()
    make_profile(sender, display_name="Reclutadora")
    contact = services.contact_request_send(sender=sender, profile=profile, message="¿Te interesa un proyecto de ASR?")
    received = Notification.objects.get(recipient=profile.user)
    assert received.kind == "profiles.contact_request"
    assert "Reclutadora" in received.title
    assert sender.email not in received.body

    with pytest.raises(Conflict):
        services.contact_request_send(sender=sender, profile=profile, message="Otra vez yo, insistiendo")
    with pytest.raises(NotFound):
        services.contact_request_accept(actor=sender, request_id=contact.id, reply="hack")

    services.contact_request_accept(actor=profile.user, request_id=contact.id, reply="Escríbeme en mi web")
    answer = Notification.objects.get(recipient=sender)
    assert answer.body == "Escríbeme en mi web"
    assert "Marta" in answer.title
    with pytest.raises(Conflict):
        services.contact_request_decline(actor=profile.user, request_id=contact.id)


@pytest.mark.django_db
def test_contact_requests_cannot_target_yourself_or_hidden_profiles_and_are_rate_limited():
    owner_profile = make_profile()
    with pytest.raises(NotAllowed):
        services.contact_request_send(sender=owner_profile.user, profile=owner_profile, message="hola a mí mismo")
    hidden = make_profile(visibility="hidden")
    with pytest.raises(NotAllowed):
        services.contact_request_send(sender=UserFactory(), profile=hidden, message="hola, ¿hablamos?")
    sender = UserFactory()
    for _ in range(services.CONTACT_REQUESTS_PER_DAY):
        services.contact_request_send(sender=sender, profile=make_profile(), message="hola, ¿hablamos?")
    with pytest.raises(NotAllowed):
        services.contact_request_send(sender=sender, profile=make_profile(), message="hola, ¿hablamos?")


@pytest.mark.django_db
def test_declining_is_quiet():
    profile = make_profile()
    sender = UserFactory()
    contact = services.contact_request_send(sender=sender, profile=profile, message="hola, ¿hablamos?")
    services.contact_request_decline(actor=profile.user, request_id=contact.id)
    assert ContactRequest.objects.get().status == "declined"
    assert not Notification.objects.filter(recipient=sender).exists()


# --- Own-data rights ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_personal_data_export_has_everything_including_other_apps_sections(monkeypatch):
    profile = make_profile(headline="Investigadora", skills=[("nlp", 3)], languages=[("eu", "native")])
    services.contact_request_send(sender=profile.user, profile=make_profile(), message="hola, ¿hablamos?")
    monkeypatch.setitem(personal_data._declarations, "elsewhere", personal_data.PersonalData(
        app="elsewhere", export=lambda user: {"elsewhere": [{"user": user.pk}]},
    ))

    data = account_services.personal_data_export(user=profile.user)
    assert data["account"]["email"] == profile.user.email
    assert data["profile"]["headline"] == "Investigadora"
    assert data["profile"]["skills"] == [("nlp", 3)]
    assert data["profile"]["languages"] == [("eu", "native")]
    assert len(data["contact_requests_sent"]) == 1
    assert data["elsewhere"] == [{"user": profile.user.pk}]


@pytest.mark.django_db
def test_account_deletion_needs_the_password_and_anonymises_the_user_row(django_capture_on_commit_callbacks, monkeypatch):
    profile = make_profile(display_name="Borrame", skills=[("nlp", 1)])
    services.profile_avatar_set(actor=profile.user, profile=profile, upload=image_upload())
    avatar, storage = profile.avatar.name, profile.avatar.storage
    user = profile.user
    sent = services.contact_request_send(sender=user, profile=make_profile(), message="hola, ¿hablamos?")
    assert "password" in errors_of(lambda: account_services.account_delete(user=user, password="wrong"))

    seen = []
    monkeypatch.setitem(personal_data._declarations, "elsewhere", personal_data.PersonalData(
        app="elsewhere", forget=lambda user: seen.append((user.pk, user.is_active)),
    ))
    with django_capture_on_commit_callbacks(execute=True):
        account_services.account_delete(user=user, password=PASSWORD)
    assert seen == [(user.pk, True)]  # every app's part runs before the account is anonymised
    user = User.objects.get(pk=user.pk)  # the row stays, so other apps' foreign keys hold
    assert not user.is_active and not user.has_usable_password()
    assert user.email == f"deleted-{user.pk}@deleted.invalid"
    assert (user.first_name, user.last_name) == ("", "")
    assert not Profile.objects.filter(user=user).exists()
    assert not ContactRequest.objects.filter(pk=sent.pk).exists()
    assert not storage.exists(avatar)


# --- Selectors for other apps -------------------------------------------------------------------------


@pytest.mark.django_db
def test_skills_for_users_is_one_query():
    a = make_profile(skills=[("nlp", 1), ("hpc", 3)])
    b = make_profile(skills=[("mlops", 2)])
    lonely = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        result = selectors.skills_for_users([a.user_id, b.user_id, lonely.pk])
    assert len(queries) == 1
    assert result[a.user_id][0] in ("High-performance computing", "Computación de alto rendimiento")
    assert len(result[a.user_id]) == 2 and len(result[b.user_id]) == 1
    assert result[lonely.pk] == []


@pytest.mark.django_db
def test_accounts_without_a_password_must_set_one_before_deleting():
    profile = make_profile()
    profile.user.set_unusable_password()
    profile.user.save()
    assert "password" in errors_of(lambda: account_services.account_delete(user=profile.user, password=""))
    assert Profile.objects.filter(pk=profile.pk).exists()
