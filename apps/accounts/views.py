from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from apps.accounts import services
from apps.accounts.navigation import account_sections


@login_required
def account_home(request):
    """One place for every account setting, reachable from the header."""
    return render(request, "accounts/home.html", {"sections": account_sections(request)})


@require_POST
def language_set(request):
    """Django's language switch, also remembered on the account of a signed-in member."""
    response = set_language(request)
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
