"""Uploaded images: limits checked from the header before any pixel is decoded, and
re-encoding, so what we store and serve is a fresh JPEG we wrote, never the upload."""

import uuid
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.core.errors import InvalidInput

UPLOAD_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def image_too_large_message() -> str:
    side = int(settings.IMAGE_MAX_PIXELS ** 0.5)
    return _("The image is too large: at most %(side)s × %(side)s pixels.") % {"side": side}


def image_within_limit(image) -> bool:
    """`image` is an opened (not yet loaded) Pillow image."""
    return image.width * image.height <= settings.IMAGE_MAX_PIXELS


def image_reencoded(upload, *, field: str, max_bytes: int, size: tuple[int, int], crop: bool) -> ContentFile:
    """A JPEG of the upload, cropped to `size` (`crop`) or fitted within it, upright, without metadata.

    Refusals are `InvalidInput` on `field`, so pages and the API show them next to it.
    """
    megabytes = max_bytes // (1024 * 1024)
    if upload.size is None or upload.size > max_bytes:
        raise InvalidInput(errors={field: [_("The image is larger than %(mb)s MB.") % {"mb": megabytes}]})
    error = InvalidInput(
        errors={field: [_("Upload a JPEG, PNG, WebP or GIF image of at most %(mb)s MB.") % {"mb": megabytes}]}
    )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in UPLOAD_FORMATS:
                raise error
            # Checked from the header, before decoding: a small file can hold a huge canvas.
            if not image_within_limit(image):
                raise InvalidInput(errors={field: [image_too_large_message()]})
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, "white")
                background.paste(image, mask=image.getchannel("A"))
                image = background
            image = image.convert("RGB")
            if crop:
                image = ImageOps.fit(image, size)
            else:
                image.thumbnail(size)
    except Image.DecompressionBombError as exc:
        raise InvalidInput(errors={field: [image_too_large_message()]}) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise error from exc
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)  # no exif= → no metadata
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
