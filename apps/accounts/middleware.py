from django.conf import settings
from django.utils import translation


class MemberLanguageMiddleware:
    """A signed-in member gets the language saved on their account on a browser that
    has not chosen one yet (a new device, a cleared cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.language
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
