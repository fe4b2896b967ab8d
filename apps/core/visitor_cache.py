"""Public pages and API lists for visitors who are not signed in, rendered once and shared.

Every anonymous visitor of one URL in one language sees the same page, yet rendering a
list of twenty profiles costs tens of milliseconds of templates and queries. So the
first visitor's rendering is kept in the cache under the same generations as the
summaries (`apps.core.summaries`): a write to one of the page's topics makes the next
visitor render it afresh, and nothing is older than `VISITOR_CACHE_MAX_AGE` seconds
(what a page shows from other topics, such as a hackathon's participant count, may lag
by that much). The key also carries the topics' generations kept in the database, read on
every hit (one indexed query): a write, such as a profile made private, is never hidden
behind a cache whose generation Redis could not bump while it was frozen or down, and a
visitor is never handed the page of an older key while another renders the new one.
Signed-in members, and visitors with a session or flash messages, always
get their own rendering.

The one per-visitor part of an anonymous page is the CSRF token in its forms (the
language switcher): it is blanked before storing and a fresh one is put in on each hit.
API views keep their answer rendered to JSON: a client that asked for JSON gets those
bytes as they are, without building and rendering the data again for each request (most
of a shared API list's cost, and of its garbage); the browsable API gets the data back
from them. Throttles and content negotiation still apply: they run before the view method.
"""

from __future__ import annotations

import json
import re
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.core.summaries import Summary

_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def _shareable(request) -> bool:
    """A visitor whose page is the same as any other's: not signed in, no session, no
    flash messages waiting, and only reading."""
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def page_for_visitors(*topics: str):
    """Decorate a page view whose anonymous rendering depends on `topics`."""

    def decorator(view):
        summary = Summary(f"visitor-page:{view.__module__}.{view.__qualname__}", topics,
                          in_background=False, database_generations=True)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _shareable(request):
                return view(request, *args, **kwargs)
            rendered = None

            def render():
                nonlocal rendered
                rendered = view(request, *args, **kwargs)
                if rendered.status_code != 200 or rendered.streaming or rendered.cookies:
                    return None
                content, forms = _CSRF_INPUT.subn(rb"\1\2", rendered.content)
                return content, rendered["Content-Type"], bool(forms)

            stored = summary.get(render, request.build_absolute_uri(), get_language(), max_age=settings.VISITOR_CACHE_MAX_AGE)
            if rendered is not None:
                return rendered
            content, content_type, has_form = stored
            if has_form:
                token = get_token(request).encode()
                content = _CSRF_INPUT.sub(lambda m: m[1] + token + m[2], content)
            return HttpResponse(content, content_type=content_type)

        return wrapper

    return decorator


def same_for_every_member(user) -> str:
    """`members_share_by` of an answer that does not depend on who asks (the catalogue)."""
    return "every member"


def api_for_visitors(*topics: str, members_share_by=None):
    """Decorate an API view's `get` whose anonymous answer depends on `topics`.

    `members_share_by(user)`: signed-in members for whom it returns the same value get
    the same answer (a list filtered by what its audience may see), so theirs is shared
    too, under that value."""

    def decorator(method):
        # "-json": the stored value is rendered JSON; answers stored as data by an older
        # version under the old name are never read as bytes during a rolling deploy.
        summary = Summary(f"visitor-api-json:{method.__module__}.{method.__qualname__}", topics,
                          in_background=False, database_generations=True)

        @wraps(method)
        def wrapper(self, request, *args, **kwargs):
            if _shareable(request):
                audience = ()
            elif members_share_by is not None and request.method == "GET" and request.user.is_authenticated:
                audience = (members_share_by(request.user),)
            else:
                return method(self, request, *args, **kwargs)
            answered = None

            def answer():
                nonlocal answered
                answered = method(self, request, *args, **kwargs)
                return JSONRenderer().render(answered.data) if answered.status_code == 200 else None

            rendered = summary.get(
                answer, request.build_absolute_uri(), get_language(), *audience, max_age=settings.VISITOR_CACHE_MAX_AGE
            )
            if answered is not None:
                return answered
            if _wants_plain_json(request):
                return HttpResponse(rendered, content_type="application/json")
            return Response(json.loads(rendered))

        return wrapper

    return decorator


def _wants_plain_json(request) -> bool:
    """Content negotiation chose DRF's JSON as it renders by default (no `indent` asked for)."""
    return isinstance(request.accepted_renderer, JSONRenderer) and "indent" not in request.accepted_media_type
