from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.core import signing
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import ApplicationError
from apps.core.forms import add_service_errors
from apps.notifications import selectors, services
from apps.notifications.emails import unsubscribe_token_read
from apps.notifications.kinds import GROUPS, KINDS, kinds_by_group
from apps.notifications.models import DigestSchedule, NotificationPreference


@login_required
def notification_list(request):
    """The notification centre: filter by group of kinds and unread."""
    group = request.GET.get("group", "")
    group = group if group in GROUPS else ""
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only, group=group)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "groups": GROUPS, "group": group, "unread_only": unread_only},
    )


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


def _mode_field_name(kind: str) -> str:
    return "mode-" + kind.replace(".", "-")


class EmailSettingsForm(forms.Form):
    email_enabled = forms.BooleanField(
        label=gettext_lazy("Send me notifications by e-mail"),
        required=False,
        help_text=gettext_lazy("Untick to stop every e-mail. You still see everything here."),
    )
    digest = forms.ChoiceField(label=gettext_lazy("My digest arrives"), choices=DigestSchedule.Frequency.choices)
    time_zone = forms.ChoiceField(
        label=gettext_lazy("My time zone"),
        help_text=gettext_lazy("Digests arrive in your morning."),
        choices=[(zone, zone) for zone in sorted(available_timezones())],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        for kind in KINDS.values():
            self.fields[_mode_field_name(kind.key)] = forms.ChoiceField(
                label=kind.label, choices=NotificationPreference.Mode.choices
            )

    def kind_sections(self) -> list[tuple[str, list]]:
        """(heading, bound fields) per group, in the order of the settings table."""
        return [
            (GROUPS[group], [self[_mode_field_name(kind.key)] for kind in kinds])
            for group, kinds in kinds_by_group().items()
        ]

    def modes(self) -> dict[str, str]:
        return {kind: self.cleaned_data[_mode_field_name(kind)] for kind in KINDS}

    def add_service_errors(self, error: ApplicationError) -> None:
        """Show a service's field errors next to their fields (`modes.<kind>` → that kind's choice)."""
        by_field = {
            _mode_field_name(key.removeprefix("modes.")) if key.startswith("modes.") else key: field_messages
            for key, field_messages in error.errors.items()
        }
        add_service_errors(self, ApplicationError(error.message, errors=by_field))


@login_required
def email_settings(request):
    """How each kind of notification reaches the member beyond the site (in-app always stays on)."""
    current = selectors.email_settings(user=request.user)
    initial = {key: current[key] for key in ("email_enabled", "digest", "time_zone")}
    initial.update({_mode_field_name(kind): mode for kind, mode in current["modes"].items()})
    form = EmailSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_settings_update(
                user=request.user,
                email_enabled=form.cleaned_data["email_enabled"],
                modes=form.modes(),
                digest=form.cleaned_data["digest"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


# The signed token is the credential: mail clients post here without a session or a CSRF
# token (RFC 8058 one-click), and people arrive from the link in the e-mail signed out.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request, token: str):
    """GET shows one button; POST (the button, or the mail client's one-click) unsubscribes."""
    try:
        user_id, subject = unsubscribe_token_read(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        services.email_unsubscribe(user_id=user_id, subject=subject)
    label = KINDS[subject].label if subject in KINDS else GROUPS.get(subject, subject)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"done": done, "subject_label": label, "token": token},
    )


class AnnouncementForm(forms.Form):
    subset = forms.ChoiceField(label=gettext_lazy("Who"), required=False)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, subsets: dict, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if subsets:
            self.fields["subset"].choices = list(subsets.items())
        else:
            del self.fields["subset"]


@login_required
def announcement_page(request, audience: str):
    """Write an announcement, preview it with the head count, then send it to everyone at once."""
    try:
        params = selectors.announcement_params(audience=audience, query=request.GET)
        reach = selectors.announcement_audience(user=request.user, audience=audience, params=params)
    except ApplicationError:  # an unknown audience, or one this member may not address
        raise Http404() from None
    form = AnnouncementForm(request.POST or None, subsets=reach["subsets"])
    preview = None
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("subset"):
            params["subset"] = form.cleaned_data["subset"]
            reach = selectors.announcement_audience(user=request.user, audience=audience, params=params)
        if "send" in request.POST:
            try:
                services.announcement_send(
                    sender=request.user,
                    audience=audience,
                    params=params,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your announcement is on its way to %(count)d people.") % {"count": reach["count"]},
                )
                return redirect(request.get_full_path())
        preview = form.cleaned_data
    return render(
        request, "notifications/announce.html", {"form": form, "reach": reach, "preview": preview}
    )
