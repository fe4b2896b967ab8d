"""Pages of the hackathons section; each view parses input and calls one service or selector."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError, Conflict, InvalidInput, NotAllowed, NotFound
from apps.core.forms import add_service_errors, form_page_status, posted_id
from apps.core.fragments import SharedFragment, once
from apps.core.visitor_cache import page_for_visitors
from apps.hackathons import forms, permissions, selectors
from apps.hackathons.calendar import hackathon_calendar_links, hackathon_ics
from apps.hackathons.models import Hackathon, Judge, Registration, RubricCriterion, Submission, Track
from apps.hackathons.services import judging, lifecycle, registrations, submissions, teams
from apps.hackathons.services.common import teams_open


def _hackathon(request, slug) -> Hackathon:
    return selectors.hackathon_get(user=request.user, slug=slug)


def _nav(request, hackathon) -> dict:
    """What the hackathon header needs: the hackathon and which extra tabs to show."""
    return {
        "hackathon": hackathon,
        "is_manager": permissions.can_manage_hackathon(request.user, hackathon),
        "is_judge": permissions.is_judge(request.user, hackathon),
        "can_use_team": permissions.can_use_team_pages(request.user, hackathon),
    }


def _require_manager(request, hackathon):
    if not permissions.can_manage_hackathon(request.user, hackathon):
        raise NotAllowed(_("Only the organisers of this hackathon can see this page."))


def _managed(request, slug) -> Hackathon:
    hackathon = _hackathon(request, slug)
    _require_manager(request, hackathon)
    return hackathon


@page_for_visitors("hackathons")
def hackathon_list(request):
    period = request.GET.get("period", "")
    filters = {
        "period": period if period in selectors.PERIODS else "",
        "format": request.GET.get("format", ""),
        "language": request.GET.get("language", "").strip()[:8],
        "q": request.GET.get("q", "").strip()[:100],
    }
    page_number = request.GET.get("page")

    def page():
        return Paginator(selectors.hackathon_list(user=request.user, **filters), 12).get_page(page_number)

    return render(
        request,
        "hackathons/list.html",
        {
            "page": once(page),
            "filters": filters,
            "periods": [("", _("All")), ("upcoming", _("Upcoming")), ("running", _("Running")), ("past", _("Past"))],
            "formats": Hackathon.Format.choices,
            "query_string": urlencode({k: v for k, v in filters.items() if v}),
            "can_create": permissions.can_create_hackathon(request.user),
            # The list is the same for everyone who sees the same hackathons: rendered once
            # per audience, filters and page until a hackathon or a registration changes.
            "fragment": SharedFragment(
                "hackathon-list", ("hackathons",),
                (selectors.hackathon_list_audience(request.user), sorted(filters.items()), page_number),
            ),
        },
    )


@page_for_visitors("hackathons")
def hackathon_detail(request, slug):
    hackathon = _hackathon(request, slug)
    user = request.user
    is_manager = permissions.can_manage_hackathon(user, hackathon)
    now = timezone.now()
    schedule = [
        {"label": label, "when": timezone.localtime(moment, hackathon.tz), "past": moment <= now}
        for _key, label, moment in hackathon.schedule()
    ]
    upcoming = [item for item in schedule if not item["past"]]
    return render(
        request,
        "hackathons/detail.html",
        {
            "hackathon": hackathon,
            "calendar_links": once(lambda: hackathon_calendar_links(hackathon)),
            # Read only when a shared fragment is drawn again.
            "tracks": once(lambda: list(hackathon.tracks.all())),
            "organisers": once(lambda: selectors.organisers_of(hackathon)),
            # What the hackathon is and when, the same for everyone: rendered once until a
            # write to the hackathons and, for the schedule, until the next milestone passes.
            "about_fragment": SharedFragment("hackathon-about", ("hackathons",), (hackathon.pk,)),
            "schedule_fragment": SharedFragment(  # organisers by their public names
                "hackathon-schedule", ("hackathons", "accounts", "profiles"), (hackathon.pk, len(schedule) - len(upcoming)),
            ),
            "schedule": schedule,
            "next_milestone": (
                upcoming[0]
                if upcoming and hackathon.state not in (Hackathon.State.CANCELLED, Hackathon.State.FINISHED)
                else None
            ),
            "registration": selectors.registration_for(user=user, hackathon=hackathon),
            "registration_open": registrations.registration_is_open(hackathon),
            "is_manager": is_manager,
            "is_judge": permissions.is_judge(user, hackathon),
            "can_use_team": permissions.can_use_team_pages(user, hackathon),
            "transitions": lifecycle.available_transitions(hackathon) if is_manager else [],
            "participants": hackathon.registrations.filter(status=Registration.Status.CONFIRMED).count(),
        },
    )


@login_required
def hackathon_create(request):
    if not permissions.can_create_hackathon(request.user):
        raise NotAllowed(_("Only organisers can create hackathons."))
    form = forms.HackathonForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            hackathon = lifecycle.hackathon_create(actor=request.user, tracks=form.track_names(), **form.service_fields())
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = form_page_status(exc)
        else:
            messages.success(request, _("Hackathon created as a draft. Publish it from the dashboard when it is ready."))
            return redirect("hackathons:manage", slug=hackathon.slug)
    return render(request, "hackathons/form.html", {"form": form, "hackathon": None}, status=status)


@login_required
def hackathon_edit(request, slug):
    hackathon = _managed(request, slug)
    form = forms.HackathonForm(request.POST or None, request.FILES or None, hackathon=hackathon)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.hackathon_update(actor=request.user, hackathon=hackathon, **form.service_fields())
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = form_page_status(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("hackathons:manage", slug=hackathon.slug)
    return render(request, "hackathons/form.html", {"form": form, "hackathon": hackathon}, status=status)


@login_required
@require_POST
def hackathon_duplicate(request, slug):
    hackathon = _managed(request, slug)
    copy = lifecycle.hackathon_duplicate(actor=request.user, hackathon=hackathon)
    messages.success(request, _("A draft copy was made, its dates moved to after today. Check them and publish it when ready."))
    return redirect("hackathons:edit", slug=copy.slug)


def hackathon_calendar(request, slug):
    hackathon = _hackathon(request, slug)
    response = HttpResponse(hackathon_ics(hackathon), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{hackathon.slug}.ics"'
    return response


@login_required
def registration_page(request, slug):
    hackathon = _hackathon(request, slug)
    registration = selectors.registration_for(user=request.user, hackathon=hackathon)
    form = forms.RegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            registration = registrations.registration_create(user=request.user, hackathon=hackathon, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = form_page_status(exc)
        else:
            messages.success(request, _("Registration saved: %(status)s.") % {"status": registration.get_status_display()})
            return redirect("hackathons:detail", slug=hackathon.slug)
    return render(
        request,
        "hackathons/register.html",
        {
            **_nav(request, hackathon), "form": form, "registration": registration,
            "registration_open": registrations.registration_is_open(hackathon),
        },
        status=status,
    )


@login_required
@require_POST
def registration_cancel(request, slug):
    hackathon = _hackathon(request, slug)
    registrations.registration_cancel(user=request.user, hackathon=hackathon)
    messages.success(request, _("Your registration is withdrawn."))
    return redirect("hackathons:detail", slug=hackathon.slug)


def _team_context(request, hackathon, **forms_in_use):
    user = request.user
    if not permissions.can_use_team_pages(user, hackathon):
        raise NotAllowed(_("Teams are for confirmed participants. Register for the hackathon first."))
    team = selectors.team_for_user(user=user, hackathon=hackathon)
    context = {
        **_nav(request, hackathon),
        "team": team,
        "teams_open": teams_open(hackathon),
        "is_participant": permissions.is_confirmed_participant(user, hackathon),
        "invitations": selectors.invitations_for_user(user=user, hackathon=hackathon) if team is None else [],
        "board": selectors.looking_for_team(viewer=user, hackathon=hackathon, page=request.GET.get("page")),
        "create_form": forms.TeamCreateForm(),
        "join_form": forms.JoinByCodeForm(),
        "invite_form": forms.InviteForm(),
        "tracks": hackathon.tracks.all(),
    }
    context.update(forms_in_use)
    if team is not None:
        submitted = {s.track_id: s for s in team.submissions.all()}
        context["track_rows"] = [(track, submitted.get(track.id)) for track in context["tracks"]]
    return context


@login_required
def team_page(request, slug):
    hackathon = _hackathon(request, slug)
    return render(request, "hackathons/team.html", _team_context(request, hackathon))


def _refusal(exc) -> str:
    """A refusal as one message: the reason, then field problems it does not already say."""
    extra = [m for messages_ in (exc.errors or {}).values() for m in messages_ if str(m) not in str(exc.message)]
    return " ".join([str(exc.message), *map(str, extra)]).strip()


def _form_refusal(request, form, save) -> ApplicationError | None:
    """Validate `form` and hand its data to `save` (one service call); return the refusal, if any,
    for the page to show itself again with it. Refused input goes on the form; any other refusal
    (teams are locked, the person may not) goes on top of the page, because the state it reports
    is the state that hides the form."""
    try:
        if not form.is_valid():
            raise InvalidInput()
        save(form.cleaned_data)
    except InvalidInput as exc:
        if exc.errors or not form.errors:
            add_service_errors(form, exc)
        return exc
    except ApplicationError as exc:
        messages.error(request, _refusal(exc))
        return exc
    return None


def _team_form(request, hackathon, key: str, form, save, success: str):
    """A team-page form: back to the team page, or the page again with the form's errors."""
    refusal = _form_refusal(request, form, save)
    if refusal is not None:
        context = _team_context(request, hackathon, **{key: form})
        return render(request, "hackathons/team.html", context, status=refusal.status_code)
    return _back_to_team(request, hackathon, success)


def _back_to_team(request, hackathon, success: str):
    messages.success(request, success)
    return redirect("hackathons:team", slug=hackathon.slug)


def _posted_invitation(request) -> int:
    return posted_id(request.POST.get("invitation"))


def _own_team(request, hackathon):
    team = selectors.team_for_user(user=request.user, hackathon=hackathon)
    if team is None:
        raise NotAllowed(_("You are not in a team."))
    return team


@login_required
@require_POST
def team_create(request, slug):
    hackathon = _hackathon(request, slug)
    return _team_form(
        request, hackathon, "create_form", forms.TeamCreateForm(request.POST),
        lambda data: teams.team_create(user=request.user, hackathon=hackathon, name=data["name"]),
        _("Team created. Share the invite code or invite people by handle."),
    )


@login_required
@require_POST
def team_join(request, slug):
    hackathon = _hackathon(request, slug)
    return _team_form(
        request, hackathon, "join_form", forms.JoinByCodeForm(request.POST),
        lambda data: teams.team_join_by_code(user=request.user, hackathon=hackathon, invite_code=data["invite_code"]),
        _("You joined the team."),
    )


@login_required
@require_POST
def team_invite(request, slug):
    hackathon = _hackathon(request, slug)
    team = _own_team(request, hackathon)
    return _team_form(
        request, hackathon, "invite_form", forms.InviteForm(request.POST),
        lambda data: teams.team_invite(actor=request.user, team=team, handle=data["handle"]),
        _("Invitation sent."),
    )


@login_required
@require_POST
def team_leave(request, slug):
    hackathon = _hackathon(request, slug)
    teams.team_leave(user=request.user, team=_own_team(request, hackathon))
    return _back_to_team(request, hackathon, _("You left the team."))


@login_required
@require_POST
def invitation_accept(request, slug):
    hackathon = _hackathon(request, slug)
    teams.invitation_accept(user=request.user, invitation_id=_posted_invitation(request))
    return _back_to_team(request, hackathon, _("Welcome to the team."))


@login_required
@require_POST
def invitation_decline(request, slug):
    hackathon = _hackathon(request, slug)
    teams.invitation_decline(user=request.user, invitation_id=_posted_invitation(request))
    return _back_to_team(request, hackathon, _("Invitation declined."))


@login_required
@require_POST
def invitation_withdraw(request, slug):
    hackathon = _hackathon(request, slug)
    team = _own_team(request, hackathon)
    teams.invitation_withdraw(actor=request.user, team=team, invitation_id=_posted_invitation(request))
    return _back_to_team(request, hackathon, _("Invitation withdrawn."))


@login_required
def submission_page(request, slug, track_id):
    hackathon = _hackathon(request, slug)
    track = get_object_or_404(Track, pk=track_id, hackathon=hackathon)
    team = selectors.team_for_user(user=request.user, hackathon=hackathon)
    if team is None:
        raise NotAllowed(_("Join or create a team to submit."))
    submission = next((s for s in team.submissions.all() if s.track_id == track.id), None)
    if submission is not None:
        submission = Submission.objects.prefetch_related("repositories").get(pk=submission.pk)
    form = forms.SubmissionForm(request.POST or None, initial=forms.SubmissionForm.initial_for(submission))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            submissions.submission_save(
                user=request.user, team=team, track=track, title=form.cleaned_data["title"],
                description=form.cleaned_data["description"], source_url=form.cleaned_data["source_url"],
                video_url=form.cleaned_data["video_url"], repositories=form.repositories(),
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = form_page_status(exc)
        else:
            messages.success(request, _("Submission saved. You can edit it until hacking ends."))
            return redirect("hackathons:team", slug=hackathon.slug)
    return render(
        request,
        "hackathons/submission.html",
        {
            **_nav(request, hackathon), "track": track, "team": team, "form": form, "submission": submission,
            "deadline": timezone.localtime(hackathon.hacking_ends_at, hackathon.tz),
            "open": submissions.submissions_open(hackathon),
        },
        status=status,
    )


def _judge(request, hackathon):
    judge = permissions.judge_for(request.user, hackathon)
    if judge is None:
        raise NotAllowed(_("Only judges of this hackathon can see this page."))
    return judge


@login_required
def judging_list(request, slug):
    hackathon = _hackathon(request, slug)
    judge = _judge(request, hackathon)
    criteria = list(hackathon.criteria.all())
    assignments = selectors.judge_assignments(judge=judge, criteria=len(criteria))
    page = Paginator(assignments, 25).get_page(request.GET.get("page"))
    return render(request, "hackathons/judging.html", {**_nav(request, hackathon), "page": page, "criteria": criteria})


@login_required
def judging_score(request, slug, submission_id):
    hackathon = _hackathon(request, slug)
    judge = _judge(request, hackathon)
    assignment = judge.assignments.select_related("submission__team", "submission__track").filter(submission_id=submission_id).first()
    if assignment is None:
        raise NotFound(_("This submission is not assigned to you."))
    submission = Submission.objects.prefetch_related("repositories").get(pk=submission_id)
    criteria = RubricCriterion.objects.filter(hackathon=hackathon)
    form = forms.ScorecardForm(request.POST or None, criteria=criteria, scores=assignment.scores.all())
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            judging.scorecard_submit(user=request.user, submission=submission, scores=form.scores())
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = form_page_status(exc)
        else:
            messages.success(request, _("Scores saved."))
            return redirect("hackathons:judging", slug=hackathon.slug)
    return render(
        request, "hackathons/score.html", {**_nav(request, hackathon), "submission": submission, "form": form}, status=status
    )


def results_page(request, slug):
    hackathon = _hackathon(request, slug)
    user = request.user
    rows = selectors.leaderboard(user=user, hackathon=hackathon) if permissions.can_see_scores(user, hackathon) else None
    page = None
    if rows is None and permissions.can_see_submissions(user, hackathon):
        page = Paginator(selectors.submissions_for_hackathon(user=user, hackathon=hackathon), 24).get_page(request.GET.get("page"))
    elif rows is not None:
        page = Paginator(rows, 24).get_page(request.GET.get("page"))
    return render(
        request, "hackathons/results.html",
        {**_nav(request, hackathon), "page": page, "scored": rows is not None, "results_at": timezone.localtime(hackathon.results_at, hackathon.tz)},
    )


@login_required
def dashboard(request, slug, forms_in_use=None, status=200):
    hackathon = _managed(request, slug)
    status_filter = request.GET.get("status", "")
    context = {
        **_nav(request, hackathon),
        "transitions": lifecycle.available_transitions(hackathon),
        "organisers": selectors.organisers_of(hackathon),
        "log": selectors.transitions_for(hackathon=hackathon),
        "counts": selectors.registration_counts(hackathon=hackathon),
        "registrations": Paginator(selectors.registrations_for_hackathon(hackathon=hackathon, status=status_filter), 25).get_page(request.GET.get("page")),
        "status_filter": status_filter,
        "statuses": Registration.Status.choices,
        "query_string": urlencode({"status": status_filter}) if status_filter else "",
        "teams": Paginator(selectors.teams_for_hackathon(hackathon=hackathon), 25).get_page(request.GET.get("teams_page")),
        "submissions": Paginator(
            selectors.submissions_for_hackathon(user=request.user, hackathon=hackathon), 25
        ).get_page(request.GET.get("submissions_page")),
        "progress": selectors.judging_progress(hackathon=hackathon),
        "criteria": hackathon.criteria.all(),
        "tracks": hackathon.tracks.all(),
        "tracks_editable": hackathon.state in lifecycle.TRACKS_EDITABLE,
        "rubric_editable": hackathon.state in judging.RUBRIC_EDITABLE,
        "track_form": forms.TrackForm(),
        "criterion_form": forms.CriterionForm(),
        "judge_form": forms.HandleForm(),
        "organiser_form": forms.HandleForm(prefix="organiser"),
        "invites_form": forms.InviteEmailsForm(),
    }
    context.update(forms_in_use or {})
    return render(request, "hackathons/dashboard.html", context, status=status)


def _posted(request, objects, field: str):
    """The object of `objects` whose id is posted in `field`; 404 for anything else."""
    return get_object_or_404(objects, pk=posted_id(request.POST.get(field)))


def _back_to_dashboard(request, hackathon, success: str):
    messages.success(request, success)
    return redirect("hackathons:manage", slug=hackathon.slug)


def _dashboard_form(request, hackathon, key: str, form, save):
    """A dashboard form: back to the dashboard, or the dashboard again with the form's errors."""
    refusal = _form_refusal(request, form, save)
    if refusal is not None:
        return dashboard(request, hackathon.slug, forms_in_use={key: form}, status=refusal.status_code)
    return _back_to_dashboard(request, hackathon, _("Saved."))


@login_required
@require_POST
def hackathon_transition(request, slug, action):
    hackathon = _managed(request, slug)
    try:
        hackathon = lifecycle.hackathon_transition(
            actor=request.user, hackathon=hackathon, action=action, reason=request.POST.get("reason", "")
        )
    except (InvalidInput, Conflict) as exc:
        # Back on the dashboard with what to fix (a date past since the draft was saved),
        # not a full error page away from it.
        messages.error(request, _refusal(exc))
        return redirect("hackathons:manage", slug=hackathon.slug)
    return _back_to_dashboard(
        request, hackathon, _("The hackathon is now “%(state)s”.") % {"state": hackathon.get_state_display()}
    )


def _registration(request, hackathon) -> Registration:
    return _posted(request, Registration.objects.filter(hackathon=hackathon), "registration")


@login_required
@require_POST
def registration_approve(request, slug):
    hackathon = _managed(request, slug)
    registrations.registration_decide(actor=request.user, registration=_registration(request, hackathon), approve=True)
    return _back_to_dashboard(request, hackathon, _("Registration updated."))


@login_required
@require_POST
def registration_reject(request, slug):
    hackathon = _managed(request, slug)
    registrations.registration_decide(
        actor=request.user, registration=_registration(request, hackathon), approve=False,
        reason=request.POST.get("reason", ""),
    )
    return _back_to_dashboard(request, hackathon, _("Registration updated."))


@login_required
@require_POST
def registration_check_in(request, slug):
    hackathon = _managed(request, slug)
    registrations.registration_check_in(actor=request.user, registration=_registration(request, hackathon))
    return _back_to_dashboard(request, hackathon, _("Registration updated."))


@login_required
@require_POST
def registration_remove(request, slug):
    hackathon = _managed(request, slug)
    registrations.registration_remove(
        actor=request.user, registration=_registration(request, hackathon), reason=request.POST.get("reason", "")
    )
    return _back_to_dashboard(request, hackathon, _("Registration updated."))


@login_required
@require_POST
def registration_invites_add(request, slug):
    hackathon = _managed(request, slug)
    return _dashboard_form(
        request, hackathon, "invites_form", forms.InviteEmailsForm(request.POST),
        lambda data: registrations.registration_invites_add(actor=request.user, hackathon=hackathon, emails=data["emails"].split()),
    )


@login_required
@require_POST
def track_add(request, slug):
    hackathon = _managed(request, slug)
    return _dashboard_form(
        request, hackathon, "track_form", forms.TrackForm(request.POST),
        lambda data: lifecycle.track_add(actor=request.user, hackathon=hackathon, **data),
    )


@login_required
@require_POST
def track_remove(request, slug):
    hackathon = _managed(request, slug)
    lifecycle.track_remove(actor=request.user, track=_posted(request, Track.objects.filter(hackathon=hackathon), "track"))
    return _back_to_dashboard(request, hackathon, _("Track removed."))


@login_required
@require_POST
def criterion_add(request, slug):
    hackathon = _managed(request, slug)
    return _dashboard_form(
        request, hackathon, "criterion_form", forms.CriterionForm(request.POST),
        lambda data: judging.criterion_add(actor=request.user, hackathon=hackathon, **data),
    )


@login_required
@require_POST
def criterion_remove(request, slug):
    hackathon = _managed(request, slug)
    criterion = _posted(request, RubricCriterion.objects.filter(hackathon=hackathon), "criterion")
    judging.criterion_remove(actor=request.user, criterion=criterion)
    return _back_to_dashboard(request, hackathon, _("Criterion removed."))


@login_required
@require_POST
def judge_add(request, slug):
    hackathon = _managed(request, slug)
    return _dashboard_form(
        request, hackathon, "judge_form", forms.HandleForm(request.POST),
        lambda data: judging.judge_add(actor=request.user, hackathon=hackathon, handle=data["handle"]),
    )


@login_required
@require_POST
def judge_remove(request, slug):
    hackathon = _managed(request, slug)
    judging.judge_remove(actor=request.user, judge=_posted(request, Judge.objects.filter(hackathon=hackathon), "judge"))
    return _back_to_dashboard(request, hackathon, _("Judge removed."))


@login_required
@require_POST
def judges_assign(request, slug):
    hackathon = _managed(request, slug)
    judging.judges_assign(actor=request.user, hackathon=hackathon)
    return _back_to_dashboard(request, hackathon, _("Judges assigned."))


@login_required
@require_POST
def organiser_add(request, slug):
    hackathon = _managed(request, slug)
    return _dashboard_form(
        request, hackathon, "organiser_form", forms.HandleForm(request.POST, prefix="organiser"),
        lambda data: lifecycle.hackathon_organiser_add(actor=request.user, hackathon=hackathon, handle=data["handle"]),
    )


@login_required
@require_POST
def organiser_remove(request, slug):
    hackathon = _managed(request, slug)
    person = _posted(request, hackathon.organisers.all(), "user")
    lifecycle.hackathon_organiser_remove(actor=request.user, hackathon=hackathon, user=person)
    if person == request.user and not request.user.is_staff:
        messages.success(request, _("Organiser removed."))
        return redirect("hackathons:detail", slug=hackathon.slug)  # the dashboard is no longer theirs
    return _back_to_dashboard(request, hackathon, _("Organiser removed."))
