from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from apps.accounts import login_links, selectors, services
from apps.accounts.forms import ApiTokenForm, LoginLinkForm
from apps.accounts.navigation import account_sections
from apps.core.errors import ApplicationError
from apps.core.forms import add_service_errors


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


@require_POST
def verification_resend(request):
    """The "send it again" button of the page that asks to confirm the address."""
    services.verification_resend(request=request, email=request.POST.get("email", "")[:254])
    messages.info(request, _("If that address is waiting for confirmation, a new link is on its way. "
                             "You can ask again after three minutes."))
    return redirect("account_email_verification_sent")


NEW_KEY_SESSION = "accounts.new_api_token"


@never_cache
@login_required
def api_tokens(request):
    """The member's API tokens: create one (its key is shown once), see and revoke them.

    The new key rides in the session across the redirect, so reloading the page neither
    creates a second token nor shows the key again.
    """
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, key = services.api_token_create(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            request.session[NEW_KEY_SESSION] = key
            return redirect("accounts:api-tokens")
    return render(request, "accounts/api_tokens.html", {
        "form": form,
        "new_key": request.session.pop(NEW_KEY_SESSION, None),
        "tokens": selectors.api_tokens_of(user=request.user),
    })


@require_POST
@login_required
def api_token_revoke(request, token_id: int):
    services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:api-tokens")


@require_POST
@login_required
def api_tokens_revoke_all(request):
    services.api_tokens_revoke_all(user=request.user)
    messages.success(request, _("All your tokens were revoked."))
    return redirect("accounts:api-tokens")


@never_cache
def login_link_request(request):
    """Ask for a sign-in link by e-mail; the answer never tells whether the address has an account."""
    form = LoginLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_links.login_link_send(request=request, email=form.cleaned_data["email"])
        messages.info(request, _(
            "If that address belongs to an account, a sign-in link is on its way. It works once, "
            "for %(minutes)d minutes."
        ) % {"minutes": settings.LOGIN_LINK_MAX_AGE // 60})
        return redirect("accounts:login-link-request")
    return render(request, "accounts/login_link_request.html", {"form": form})


@never_cache
def login_link(request, token: str):
    """Opening the link shows a button; the POST signs in (mail scanners only fetch)."""
    user = login_links.login_link_user(token)
    if user is None:
        return render(request, "accounts/login_link_used.html", status=410)
    if request.method == "POST":
        login(request, user, backend="apps.accounts.login_budget.LoginBudgetBackend")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/login_link_confirm.html", {"email": user.email})
