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


def path_in_language(request, language: str | None, *, query: str | None = None) -> str:
    """This page's path and query with `?lang=` set to `language`, or taken out for None.

    `query` is `query_without_language(request)` when the caller has it already."""
    if query is None:
        query = query_without_language(request)
    if language:  # a site language code: nothing in it to escape
        query = f"{query}&{LANGUAGE_PARAMETER}={language}" if query else f"{LANGUAGE_PARAMETER}={language}"
    return request.path + (f"?{query}" if query else "")


def query_without_language(request) -> str:
    """This page's query string without `lang` (copied only when it has one)."""
    if LANGUAGE_PARAMETER not in request.GET:
        return request.GET.urlencode()
    query = request.GET.copy()
    del query[LANGUAGE_PARAMETER]
    return query.urlencode()


def language_alternates(request) -> list[dict]:
    """{"hreflang", "href"} for each site language, and x-default for the page without `?lang=`."""
    query = query_without_language(request)
    alternates = [
        {"hreflang": code, "href": settings.SITE_URL + path_in_language(request, code, query=query)}
        for code, _name in settings.LANGUAGES
    ]
    return [*alternates, {"hreflang": "x-default", "href": settings.SITE_URL + path_in_language(request, None, query=query)}]
