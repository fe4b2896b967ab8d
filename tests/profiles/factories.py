"""Profiles are made the way members make them: through the services."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.profiles import services
from tests.accounts.factories import UserFactory


def make_profile(user=None, *, skills=(), languages=(), **fields):
    """A member with a saved profile; `skills` as (slug, level), `languages` as (code, level)."""
    user = user or UserFactory()
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
