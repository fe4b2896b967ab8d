"""Links that carry their language: `?lang=gl` shows a page in Galician whoever opens it.

The interface keeps one URL per page for every language (the language lives in a cookie,
the browser's `Accept-Language` or the member's setting), so the `hreflang` alternates that
search engines need point at the same page with `?lang=` set.
"""

from django.conf import settings

LANGUAGE_PARAMETER = "lang"


def link_language(request) -> str | None:
    """The site language the link asks for, if it names one."""
    language = request.GET.get(LANGUAGE_PARAMETER, "")
    return language if language in dict(settings.LANGUAGES) else None


def path_in_language(request, language: str | None) -> str:
    """This page's path and query with `?lang=` set to `language`, or taken out for None."""
    query = request.GET.copy()
    query.pop(LANGUAGE_PARAMETER, None)
    if language:
        query[LANGUAGE_PARAMETER] = language
    return request.path + (f"?{query.urlencode()}" if query else "")


def language_alternates(request) -> list[dict]:
    """{"hreflang", "href"} for each site language, and x-default for the page without `?lang=`."""
    alternates = [
        {"hreflang": code, "href": settings.SITE_URL + path_in_language(request, code)}
        for code, _name in settings.LANGUAGES
    ]
    return [*alternates, {"hreflang": "x-default", "href": settings.SITE_URL + path_in_language(request, None)}]
