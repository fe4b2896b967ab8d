from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views import defaults
from django.views.decorators.http import require_GET
from rest_framework import exceptions

from apps.core.readiness import readiness_report
from apps.core.selectors import platform_numbers


def home(request):
    return render(request, "core/home.html", {"numbers": platform_numbers()})


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests; checks nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Ready for traffic only when the database, Redis and the broker answer."""
    ready, checks = readiness_report()
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def not_found(request, exception):
    """404 for a URL no route matches: the API's error shape under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": str(exceptions.NotFound.default_detail), "errors": {}}, status=404)
    return defaults.page_not_found(request, exception)
