from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError
from apps.notifications import selectors, services
from apps.notifications.groups import GROUPS


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_open(request, notification_id: int):
    """Mark one notification read and follow its link."""
    notification = services.notification_mark_read(
        user=request.user, notification_id=notification_id
    )
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:list"
    return redirect(target or "notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications:list")


class EmailSettingsForm(forms.Form):
    email_enabled = forms.BooleanField(
        label=gettext_lazy("Send me notifications by e-mail"),
        required=False,
        help_text=gettext_lazy("Untick to stop every e-mail. You still see everything here."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        for group, label in GROUPS.items():
            self.fields[f"group_{group}"] = forms.BooleanField(label=label, required=False)


@login_required
def email_settings(request):
    """Which groups of notifications reach the member by e-mail (in-app always stays on)."""
    current = selectors.email_settings(user=request.user)
    initial = {"email_enabled": current["email_enabled"]}
    initial.update({f"group_{g}": enabled for g, enabled in current["groups"].items()})
    form = EmailSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_settings_update(
                user=request.user,
                email_enabled=form.cleaned_data["email_enabled"],
                groups={g: form.cleaned_data[f"group_{g}"] for g in GROUPS},
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})
