"""Application errors raised by services; the API and pages turn them into messages."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A refused action, with a message for people and optional per-field messages."""

    status_code = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, errors: dict[str, list[str]] | None = None):
        self.message = message or self.default_message
        self.errors = errors or {}
        super().__init__(str(self.message))


class InvalidInput(ApplicationError):
    default_message = _("Some fields are not valid.")


class NotAllowed(ApplicationError):
    status_code = 403
    default_message = _("You do not have permission to do that.")


class NotFound(ApplicationError):
    status_code = 404
    default_message = _("Not found.")


class Conflict(ApplicationError):
    status_code = 409
    default_message = _("That conflicts with the current state.")


class TooManyRequests(ApplicationError):
    status_code = 429
    default_message = _("Too many attempts. Try again later.")
