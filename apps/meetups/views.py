"""Pages of the meetups section; each view parses input and calls one service or selector."""

import csv
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.calendar import weeks_ahead
from apps.core.errors import ApplicationError, Conflict, InvalidInput, NotAllowed
from apps.core.forms import add_service_errors, as_wall_clock, form_page_status, posted_id
from apps.core.fragments import SharedFragment, once
from apps.core.qr import qr_svg
from apps.meetups import forms, permissions, selectors, services
from apps.meetups.calendar import event_calendar_links, events_ics
from apps.meetups.models import CalendarFeed, CallForSpeakers, Chapter, Event, Rsvp, Talk


Status = Rsvp.Status


def _require_manager(request, event: Event) -> None:
    if not permissions.can_manage_event(request.user, event):
        raise NotAllowed(_("Only the organisers of this event can see this page."))


def _managed(request, slug) -> Event:
    event = selectors.event_get(user=request.user, slug=slug)
    _require_manager(request, event)
    return event


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


def event_list(request):
    form = forms.EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    filters = {k: v for k, v in filters.items() if v}
    page_number = request.GET.get("page")
    query_string = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    return render(
        request,
        "meetups/list.html",
        {
            "form": form,
            "page": once(lambda: Paginator(selectors.event_list(user=request.user, **filters), 20).get_page(page_number)),
            "query_string": query_string,
            "can_create": permissions.can_create_event(request.user),
            # The list is the same for everyone who sees the same events: rendered once until
            # an event, chapter or RSVP changes (an event that ends leaves within SUMMARY_MAX_AGE).
            "fragment": SharedFragment(
                "event-list", selectors.EVENT_LIST_TOPICS,
                (selectors.event_list_audience(request.user), query_string, page_number),
            ),
        },
    )


def event_detail(request, slug):
    event = selectors.event_get(user=request.user, slug=slug)
    user = request.user
    rsvp = permissions.rsvp_of(user, event)
    show_location = permissions.can_see_location(user, event)
    return render(
        request,
        "meetups/detail.html",
        {
            "event": event,
            "calendar_links": event_calendar_links(event, with_hidden=show_location),
            "rsvp": rsvp,
            "rsvp_form": forms.RsvpForm(event=event),
            "agenda": selectors.agenda(event),
            "going": selectors.going_count(event),
            "show_location": show_location,
            "is_manager": permissions.can_manage_event(user, event),
        },
    )


@login_required
@require_POST
def rsvp(request, slug):
    event = selectors.event_get(user=request.user, slug=slug)
    form = forms.RsvpForm(request.POST, event=event)
    status = 400
    if form.is_valid():
        try:
            result = services.rsvp_going(
                user=request.user, event=event, guests=form.cleaned_data.get("guests") or 0,
                answers=form.answers(), share_data=form.cleaned_data["share_data"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = exc.status_code  # 400 for input, as for the form's own errors; 403, 409 as the API
        else:
            messages.success(request, {
                Status.GOING: _("You are going. See you there!"),
                Status.WAITLISTED: _("The event is full: you are on the waitlist."),
                Status.PENDING: _("Thanks! The organisers will confirm your place."),
            }[result.status])
            return redirect("meetups:event", slug=event.slug)
    return render(
        request,
        "meetups/detail.html",
        {
            "event": event, "rsvp": None, "rsvp_form": form, "agenda": selectors.agenda(event),
            "going": selectors.going_count(event), "show_location": permissions.can_see_location(request.user, event),
            "is_manager": permissions.can_manage_event(request.user, event),
        },
        status=status,
    )


@login_required
@require_POST
def rsvp_cancel(request, slug):
    event = selectors.event_get(user=request.user, slug=slug)
    services.rsvp_cancel(user=request.user, event=event)
    messages.success(request, _("You are no longer going."))
    return redirect("meetups:event", slug=event.slug)


@login_required
@require_POST
def offer_accept(request, slug):
    event = selectors.event_get(user=request.user, slug=slug)
    services.rsvp_offer_accept(user=request.user, event=event)
    messages.success(request, _("Place confirmed: you are going."))
    return redirect("meetups:event", slug=event.slug)


@login_required
def ticket_qr(request, slug):
    """The QR image of the viewer's own check-in code: it opens the organisers' check-in page."""
    event = selectors.event_get(user=request.user, slug=slug)
    rsvp = permissions.rsvp_of(request.user, event)
    if rsvp is None or rsvp.status != Status.GOING:
        raise Http404
    url = request.build_absolute_uri(reverse("meetups:checkin", args=[event.slug]) + "?" + urlencode({"code": rsvp.checkin_code}))
    response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def event_calendar(request, slug):
    event = selectors.event_get(user=request.user, slug=slug)
    return _ics(events_ics([event], name=event.title, with_hidden=permissions.can_see_location(request.user, event)), event.slug)


@login_required
def event_create(request):
    if not permissions.can_create_event(request.user):
        raise NotAllowed(_("Only organisers can create events."))
    chapters = Chapter.objects.all() if request.user.is_staff else request.user.organised_chapters.all()
    return _event_form(request, None, forms.EventForm(
        request.POST or None, request.FILES or None, chapters=chapters, initial=_copy_of(request),
    ))


def _copy_of(request) -> dict:
    """"Duplicate" on an event's dashboard (?from=<slug>): the new event's form starts as a copy
    of one the organiser runs, whole weeks later, still to be checked and saved as a new draft."""
    slug = request.GET.get("from")
    if not slug:
        return {}
    source = selectors.event_get(user=request.user, slug=slug)
    _require_manager(request, source)
    initial = {name: getattr(source, name) for name in services.EVENT_FIELDS if name != "cover_image"}
    shift = weeks_ahead(source.starts_at)
    for name in forms.LOCAL_TIMES:
        moment = getattr(source, name)
        initial[name] = as_wall_clock(moment + shift, source.tz) if moment else None
    initial["chapter"] = source.chapter_id
    initial["questions"] = "\n".join(q.text + ("*" if q.required else "") for q in source.questions.all())
    return initial


@login_required
def event_edit(request, slug):
    event = _managed(request, slug)
    form = forms.EventForm(
        request.POST or None, request.FILES or None, instance=Event.objects.get(pk=event.pk), chapters=Chapter.objects.none()
    )
    return _event_form(request, event, form)


def _event_form(request, event: Event | None, form):
    """Create (event None) or edit an event; service refusals land next to the fields."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if event is None:
                event = services.event_create(
                    actor=request.user, chapter=form.cleaned_data.get("chapter"), questions=form.question_list(),
                    **form.service_fields(),
                )
                messages.success(request, _("Event created as a draft. Publish it from the dashboard when it is ready."))
            else:
                services.event_update(actor=request.user, event=event, questions=form.question_list(), **form.service_fields())
                messages.success(request, _("Changes saved."))
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = form_page_status(exc)
        else:
            return redirect("meetups:dashboard", slug=event.slug)
    return render(request, "meetups/form.html", {"form": form, "event": event}, status=status)


@login_required
def dashboard(request, slug):
    event = _managed(request, slug)
    rsvps = list(selectors.event_rsvps(event))
    by_status = {status: [r for r in rsvps if r.status == status] for status in Status.values}
    questions = list(event.questions.all())
    return render(
        request,
        "meetups/dashboard.html",
        {
            "event": event,
            "by_status": by_status,
            "questions": questions,
            "stats": selectors.event_stats(event),
            "going": selectors.going_count(event),
            "transitions": event.transitions.select_related("actor"),
            "actions": [a for a, (sources, _target) in services.TRANSITIONS.items() if event.state in sources],
            "talk_form": forms.TalkForm(event=event),
            "agenda": selectors.agenda(event),
        },
    )


def _dashboard_step(request, event: Event, step):
    """Run one dashboard step (a service call); its refusal comes back to the dashboard as a message."""
    try:
        step()
    except ApplicationError as exc:
        messages.error(request, " ".join([str(exc.message)] + [str(m) for ms in exc.errors.values() for m in ms]))
    else:
        messages.success(request, _("Done."))
    return redirect("meetups:dashboard", slug=event.slug)


def _posted_rsvp(request, event: Event) -> Rsvp:
    return get_object_or_404(Rsvp, pk=posted_id(request.POST.get("rsvp")), event=event)


@login_required
@require_POST
def event_transition(request, slug, action):
    event = _managed(request, slug)
    return _dashboard_step(request, event, lambda: services.event_transition(
        actor=request.user, event=event, action=action, reason=request.POST.get("reason", ""),
    ))


@login_required
@require_POST
def rsvp_promote(request, slug):
    event = _managed(request, slug)
    target = _posted_rsvp(request, event)
    return _dashboard_step(request, event, lambda: services.rsvp_promote(actor=request.user, rsvp=target))


@login_required
@require_POST
def rsvp_remove(request, slug):
    event = _managed(request, slug)
    target = _posted_rsvp(request, event)
    return _dashboard_step(request, event, lambda: services.rsvp_remove(
        actor=request.user, rsvp=target, reason=request.POST.get("reason", ""),
    ))


@login_required
@require_POST
def talk_add(request, slug):
    event = _managed(request, slug)
    form = forms.TalkForm(request.POST, event=event)

    def add():
        if not form.is_valid():
            raise InvalidInput(errors={name: list(errors) for name, errors in form.errors.items()})
        services.talk_add(
            actor=request.user, event=event, speakers=services.speakers_by_username(form.cleaned_data["speakers"].split()),
            **form.service_fields(),
        )

    return _dashboard_step(request, event, add)


@login_required
@require_POST
def invitations_add(request, slug):
    event = _managed(request, slug)
    return _dashboard_step(request, event, lambda: services.invitations_add(
        actor=request.user, event=event, emails=request.POST.get("emails", "").split(),
    ))


@login_required
def attendees_csv(request, slug):
    """Attendees going who agreed to share their data with the organisers."""
    event = _managed(request, slug)
    questions = list(event.questions.all())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("E-mail"), _("Guests"), _("Checked in")] + [q.text for q in questions])
    for r in selectors.event_rsvps(event, statuses=[Status.GOING]).filter(share_data=True):
        writer.writerow(
            [_csv_safe(r.user.public_name), _csv_safe(r.user.email), r.guests, "yes" if r.checked_in_at else ""]
            + [_csv_safe(r.answers.get(str(q.id), "")) for q in questions]
        )
    return response


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; prefix them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
def checkin(request, slug):
    """Phone-friendly door page: a scanned QR opens it with the code; type it or tick the list."""
    event = _managed(request, slug)
    if request.method == "POST":
        undo = request.POST.get("undo") == "1"
        try:
            if request.POST.get("rsvp"):
                target = get_object_or_404(Rsvp, pk=posted_id(request.POST["rsvp"]), event=event)
                done = services.rsvp_check_in(actor=request.user, event=event, rsvp=target, undo=undo)
            else:
                done = services.rsvp_check_in(actor=request.user, event=event, code=request.POST.get("code", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            name = done.user.public_name
            messages.success(request, (_("%(name)s is no longer checked in.") if undo else _("%(name)s is checked in.")) % {"name": name})
        return redirect("meetups:checkin", slug=event.slug)
    return render(
        request,
        "meetups/checkin.html",
        {"event": event, "code": request.GET.get("code", "")[:12], "attendees": selectors.event_rsvps(event, statuses=[Status.GOING]).order_by("user__profile__display_name", "user__first_name", "user__username", "id"), "stats": selectors.event_stats(event)},
    )


def chapter_list(request):
    return render(request, "meetups/chapters.html", {"chapters": selectors.chapter_list()})


def chapter_detail(request, slug):
    chapter = selectors.chapter_get(slug=slug)
    is_manager = permissions.can_manage_chapter(request.user, chapter)
    return render(
        request,
        "meetups/chapter.html",
        {
            "chapter": chapter,
            "upcoming": selectors.chapter_events(user=request.user, chapter=chapter, past=False)[:20],
            "past": selectors.chapter_events(user=request.user, chapter=chapter, past=True)[:20],
            "is_member": permissions.is_chapter_member(request.user, chapter),
            "is_manager": is_manager,
            "call": CallForSpeakers.objects.filter(chapter=chapter, is_open=True).first(),
            "proposals": selectors.proposals(chapter) if is_manager else [],
            "chapter_events": chapter.events.exclude(state__in=[Event.State.CANCELLED, Event.State.FINISHED]) if is_manager else [],
        },
    )


@login_required
@require_POST
def chapter_membership(request, slug):
    chapter = selectors.chapter_get(slug=slug)
    if request.POST.get("leave"):
        services.chapter_leave(user=request.user, chapter=chapter)
        messages.success(request, _("You left the chapter."))
    else:
        services.chapter_join(user=request.user, chapter=chapter)
        messages.success(request, _("You joined the chapter."))
    return redirect("meetups:chapter", slug=chapter.slug)


def chapter_calendar(request, slug):
    chapter = selectors.chapter_get(slug=slug)
    events = selectors.event_list(user=request.user, chapter=chapter.slug, period="").exclude(state=Event.State.DRAFT)
    return _ics(events_ics(events, name=chapter.name), chapter.slug)


@login_required
@require_POST
def call_for_speakers(request, slug):
    """The chapter's organisers open (with what they look for) or close the call."""
    chapter = selectors.chapter_get(slug=slug)
    if request.POST.get("close"):
        services.call_for_speakers_close(actor=request.user, chapter=chapter)
        messages.success(request, _("The call for speakers is closed."))
    else:
        services.call_for_speakers_open(actor=request.user, chapter=chapter, description=request.POST.get("description", ""))
        messages.success(request, _("The call for speakers is open."))
    return redirect("meetups:chapter", slug=chapter.slug)


@login_required
def talk_propose(request, slug):
    chapter = selectors.chapter_get(slug=slug)
    form = forms.TalkProposalForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.talk_propose(
                user=request.user, chapter=chapter, repositories=form.repository_list(),
                **{k: form.cleaned_data[k] for k in ("title", "abstract", "language", "duration_minutes")},
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = form_page_status(exc)
        else:
            messages.success(request, _("Thanks! The organisers will review your proposal."))
            return redirect("meetups:chapter", slug=chapter.slug)
    return render(request, "meetups/propose.html", {"chapter": chapter, "form": form}, status=status)


@login_required
@require_POST
def talk_decide(request, slug, talk_id):
    chapter = selectors.chapter_get(slug=slug)
    talk = get_object_or_404(Talk, pk=talk_id, chapter=chapter)
    event = Event.objects.filter(pk=posted_id(request.POST.get("event")), chapter=chapter).first()
    try:
        services.talk_decide(
            actor=request.user, talk=talk, accept={"1": True, "0": False}.get(request.POST.get("accept")),
            note=request.POST.get("note", ""), event=event,
        )
    except (InvalidInput, Conflict) as exc:  # a talk decided already goes back with the reason, not an error page
        messages.error(request, " ".join(str(m) for ms in exc.errors.values() for m in ms) or exc.message)
    else:
        messages.success(request, _("Decision saved; the speaker is notified."))
    return redirect("meetups:chapter", slug=chapter.slug)


@login_required
def my_calendar(request):
    """The member's secret feed URL, with a button to reset it."""
    if request.method == "POST":
        services.feed_reset(user=request.user)
        messages.success(request, _("New calendar address created; the old one no longer works."))
        return redirect("meetups:my-calendar")
    feed = services.feed_for(request.user)
    return render(
        request,
        "meetups/my_calendar.html",
        {"feed_url": request.build_absolute_uri(reverse("meetups:feed", args=[feed.token])), "events": selectors.my_events(request.user)},
    )


def personal_feed(request, token):
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token, user__is_active=True)
    return _ics(events_ics(selectors.my_events(feed.user), name=_("My meetups"), with_hidden=True), "meetups")
