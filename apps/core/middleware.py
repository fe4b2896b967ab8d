from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError
from apps.core.languages import link_language

# Seconds a client is asked to wait before trying again while the database is unreachable.
DATABASE_RETRY_AFTER_SECONDS = 5


class ApplicationErrorMiddleware:
    """Pages get the same answer to a refused action as the API: status and message.

    Views that show forms catch `ApplicationError` themselves to put messages next to
    fields; anything else a service refuses ends here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        return render(
            request,
            "core/error.html",
            {"message": exception.message, "errors": exception.errors, "status": exception.status_code},
            status=exception.status_code,
        )


def is_database_unreachable(error: BaseException | None) -> bool:
    return isinstance(error, (OperationalError, InterfaceError))


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: nothing is wrong with the request, and balancers, clients and
    monitoring treat it as "try again shortly". Plain, because rendering the site's pages would
    ask the database again (the member, their notifications)."""
    message = _("The site is briefly unavailable. Please try again in a moment.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": message}, status=503)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach PostgreSQL (restarting, failing over) answers 503 at once.

    Middleware runs outside a view's exception handling: when PostgreSQL fails there (a
    member's session is read to choose their language), `apps.core.views.server_error`
    gives the same answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable(request) if is_database_unreachable(exception) else None


class LinkLanguageMiddleware:
    """A link that names its language (`?lang=gl`, as the `hreflang` alternates do) shows the
    page in it, over the cookie and the account's setting, and keeps it for the next pages
    by setting the cookie the language switcher sets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = link_language(request)
        if language is None:
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language,
                max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
