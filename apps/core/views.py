from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.my_community import my_community
from apps.core.readiness import readiness_report
from apps.core.selectors import platform_numbers


def home(request):
    return render(request, "core/home.html", {"numbers": platform_numbers()})


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
    """Ready for traffic only when the database, Redis and the broker answer."""
    ready, checks = readiness_report()
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


@require_GET
def favicon(request):
    """Pages outside the site layout (the admin) make browsers ask for /favicon.ico."""
    return redirect(static("img/logo.svg"), permanent=True)
