import datetime
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve
from rest_framework import exceptions

from apps.core.middleware import database_unavailable, is_database_unreachable
from apps.core.my_community import my_community
from apps.core.readiness import public_view, readiness_report
from apps.core.selectors import platform_numbers
from apps.core.visitor_cache import page_for_visitors


@page_for_visitors("accounts", "profiles", "hub", "hackathons", "compute")
def home(request):
    return render(request, "core/home.html", {
        "numbers": platform_numbers(), "max_age_minutes": max(1, settings.SUMMARY_MAX_AGE // 60),
    })


# When the accessibility statement was last checked against the site (update on each review).
ACCESSIBILITY_REVIEWED_ON = datetime.date(2026, 12, 7)


@require_GET
def accessibility_statement(request):
    """What EN 301 549 asks a public site to publish: how accessible it is, what is not, whom to tell."""
    return render(request, "core/accessibility.html", {
        "reviewed_on": ACCESSIBILITY_REVIEWED_ON, "contact_email": settings.CONTACT_EMAIL,
    })


MEDIA_MAX_AGE = 60 * 60 * 24


@require_GET
def public_media(request, path):
    """Public uploads under MEDIA_ROOT (avatars, covers): names are random and files are
    replaced, never edited, so they may be cached. The proxy can take this over (docs)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}"
    return response


@login_required
def my_community_page(request):
    """The signed-in member's own home: what needs doing today and what is coming."""
    return render(request, "core/my_community.html", my_community(user=request.user))


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests; checks nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """503 when the database is unreachable; 200 "degraded" when only Redis or the broker is.

    Hosts, timings and error texts are shown to staff only.
    """
    status, checks = readiness_report()
    if not request.user.is_staff:
        checks = public_view(checks)
    return JsonResponse({"status": status, "checks": checks}, status=503 if status == "unavailable" else 200)


@require_GET
def favicon(request):
    """Pages outside the site layout (the admin) make browsers ask for /favicon.ico."""
    return redirect(static("img/logo.svg"), permanent=True)


def not_found(request, exception):
    """404 for a URL no route matches: the API's error shape under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": str(exceptions.NotFound.default_detail), "errors": {}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 for a failure nobody handled, unless PostgreSQL was out of reach: then the 503 a
    view gets (Django calls this while the exception is being handled, so it is at hand)."""
    if is_database_unreachable(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)
