from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.core import signing
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import ApplicationError, Conflict
from apps.core.forms import LOCAL_INPUT, LocalDateTimeInput, add_service_errors
from apps.notifications import selectors, services
from apps.notifications.emails import unsubscribe_token_read
from apps.notifications.forms import EmailSettingsForm
from apps.notifications.kinds import GROUPS, KINDS


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


@login_required
def email_settings(request):
    """How each kind of notification reaches the member beyond the site (in-app always stays on)."""
    form = EmailSettingsForm.for_member(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid() and form.save(request.user):
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
    send_at = forms.DateTimeField(
        label=gettext_lazy("Send later, at"), required=False, widget=LocalDateTimeInput(),
        input_formats=[LOCAL_INPUT],
        help_text=gettext_lazy("Leave empty and press “Send now”, or choose a time and press “Schedule for later”."),
    )

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
        elif "schedule" in request.POST:
            try:
                scheduled = services.announcement_schedule(
                    sender=request.user, audience=audience, params=params, title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"], send_at=form.cleaned_data["send_at"],
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your announcement will go out on %(when)s.") % {
                    "when": date_format(timezone.localtime(scheduled.send_at), "DATETIME_FORMAT"),
                })
                return redirect(request.get_full_path())
        preview = form.cleaned_data
    return render(
        request, "notifications/announce.html",
        {"form": form, "reach": reach, "preview": preview, "audience": audience, "params": params},
    )


@login_required
@require_POST
def announcement_cancel(request, announcement_id: int):
    """Cancel a scheduled announcement before it goes, then back to the page it was listed on."""
    try:
        services.announcement_cancel(actor=request.user, announcement_id=announcement_id)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The announcement is cancelled; nobody will receive it."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:list"
    return redirect(target)
