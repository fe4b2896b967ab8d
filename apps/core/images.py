"""Limits on uploaded images, checked from the header before any pixel is decoded."""

from django.conf import settings
from django.utils.translation import gettext as _


def image_too_large_message() -> str:
    side = int(settings.IMAGE_MAX_PIXELS ** 0.5)
    return _("The image is too large: at most %(side)s × %(side)s pixels.") % {"side": side}


def image_within_limit(image) -> bool:
    """`image` is an opened (not yet loaded) Pillow image."""
    return image.width * image.height <= settings.IMAGE_MAX_PIXELS
