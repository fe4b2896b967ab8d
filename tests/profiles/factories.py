"""Profiles are made the way members make them: through the services."""

import importlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.profiles import services
from apps.profiles.models import Skill
from tests.accounts.factories import UserFactory


def ensure_skill_taxonomy():
    """The taxonomy comes from a data migration, which `transaction=True` tests flush away."""
    if not Skill.objects.exists():
        migration = importlib.import_module("apps.profiles.migrations.0002_skill_taxonomy")
        for position, (slug, name, name_es, category) in enumerate(migration.TAXONOMY, start=1):
            Skill.objects.create(slug=slug, name=name, name_es=name_es, category=category, position=position * 10)


def prove_login(user, provider: str, username: str):
    """What allauth stores when a member logs in with Hugging Face ("huggingface") or GitHub."""
    from allauth.socialaccount.models import SocialAccount

    from apps.profiles.linked_accounts import USERNAME_CLAIMS

    return SocialAccount.objects.create(
        user=user, provider=provider, uid=f"{provider}-{username}",
        extra_data={USERNAME_CLAIMS[provider]: username},
    )


def make_profile(user=None, *, skills=(), languages=(), proven=False, **fields):
    """A member with a saved profile; `skills` as (slug, level), `languages` as (code, level).

    `proven=True`: the member logged in with the Hugging Face account named in `hf_username`."""
    ensure_skill_taxonomy()
    user = user or UserFactory()
    if proven:
        prove_login(user, "huggingface", fields["hf_username"])
    profile = services.profile_ensure(user=user)
    fields.setdefault("visibility", "public")
    return services.profile_update(
        actor=user,
        profile=profile,
        data=fields,
        skills=[{"skill": slug, "level": level} for slug, level in skills],
        languages=[{"code": code, "level": level} for code, level in languages],
    )


def image_upload(name="me.png", *, size=(900, 600), fmt="PNG", exif: bytes | None = None, **kwargs):
    buffer = BytesIO()
    image = Image.new("RGB", size, (200, 40, 90))
    options = {"exif": exif} if exif else {}
    image.save(buffer, format=fmt, **options)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}.get(fmt, "application/octet-stream")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
