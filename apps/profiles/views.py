import csv
import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from apps.accounts import services as account_services
from apps.core.errors import ApplicationError
from apps.core.forms import add_service_errors
from apps.core.fragments import SharedFragment, once
from apps.core.pagination import KnownCountPaginator
from apps.core.visitor_cache import page_for_visitors
from apps.hub.selectors import repositories_of_hub_account
from apps.notifications.forms import EmailSettingsForm
from apps.profiles import permissions, selectors, services
from apps.profiles.choices import AVAILABILITY, AffiliationKind, Region, language_name
from apps.profiles.forms import AccountDeleteForm, ContactReplyForm, ContactRequestForm, ProfileForm
from apps.profiles.sections import profile_sections

PAGE_SIZE = 20
CSV_MAX_ROWS = 5000


@page_for_visitors(*selectors.TALENT_TOPICS)
def talent_search(request):
    """The talent pool. The list and facets are a shared fragment: rendered once for
    everyone with the same view of the pool, search and page, until a profile changes."""
    search = selectors.TalentSearch.from_params(request.GET)
    can_export = permissions.can_export_talent(request.user)
    query = request.GET.copy()
    page_number = query.pop("page", [None])[-1]

    facets = once(lambda: selectors.talent_facets(viewer=request.user, search=search))

    def page():
        profiles = selectors.talent_search(viewer=request.user, search=search, matches=facets["total"])
        return KnownCountPaginator(profiles, PAGE_SIZE, count=facets["total"]).get_page(page_number)

    return render(
        request,
        "profiles/search.html",
        {
            "search": search,
            "page": once(page),
            "facet_groups": once(lambda: _facet_groups(facets, search)),
            "too_broad_to_rank": once(lambda: selectors.too_broad_to_rank(search, facets["total"])),
            "approximate": once(lambda: facets["approximate"]),
            "query_string": query.urlencode(),
            "can_export": can_export,
            "fragment": SharedFragment(
                "talent", selectors.TALENT_TOPICS,
                # The query string too: the fragment's links carry it back.
                (selectors.talent_audience(request.user), search, page_number, can_export, query.urlencode()),
            ),
        },
    )


def _facet_groups(facets: dict, search: selectors.TalentSearch) -> list[dict]:
    """Facets for the sidebar, ticked as in the search; a ticked value never disappears."""
    groups = [
        ("skill", _("Skills"), search.skills, {}),
        ("language", _("Languages"), search.languages, {}),
        ("region", _("Region"), search.regions, dict(Region.choices)),
        ("kind", _("Organisation"), search.affiliation_kinds, dict(AffiliationKind.choices)),
        ("available", _("Availability"), search.availability, dict(AVAILABILITY)),
    ]
    result = []
    for name, title, selected, labels in groups:
        options = [{**option, "checked": option["value"] in selected} for option in facets[name]]
        present = {option["value"] for option in options}
        for value in selected:
            if value not in present:
                label = language_name(value) if name == "language" else labels.get(value, value)
                options.append({"value": value, "label": str(label), "count": 0, "checked": True})
        empty = [option for option in options if not option["count"] and not option["checked"]]
        result.append({"name": name, "title": title, "options": options, "empty_options": empty})
    return result


@login_required
def talent_export_csv(request):
    """The current search as CSV for organisers: opted-in members only, never e-mails."""
    if not permissions.can_export_talent(request.user):
        raise PermissionDenied
    search = selectors.TalentSearch.from_params(request.GET)
    profiles = selectors.talent_export_rows(viewer=request.user, search=search)[:CSV_MAX_ROWS]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="talent-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([
        "handle", "name", "headline", "region", "city", "organisation", "organisation_kind",
        "skills", "languages", *[flag for flag, _label in AVAILABILITY], "profile_url",
        "hugging_face", "github", "orcid", "website",
    ])
    for profile in profiles:
        writer.writerow([
            _csv_safe(value) for value in [
                profile.handle, profile.display_name, profile.headline, profile.region_label,
                profile.city, profile.affiliation_name, profile.get_affiliation_kind_display(),
                "; ".join(f"{s.skill.name} ({s.get_level_display()})" for s in profile.skills.all()),
                "; ".join(f"{lang.code} ({lang.level})" for lang in profile.languages.all()),
                *["yes" if getattr(profile, flag) else "no" for flag, _label in AVAILABILITY],
                request.build_absolute_uri(reverse("profiles:detail", args=[profile.handle])),
                profile.hf_username, profile.github_username, profile.orcid, profile.website,
            ]
        ])
    return response


def _csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them."""
    text = str(value or "")
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@page_for_visitors("profiles", "hub", "hackathons", "meetups")
def profile_detail(request, handle: str):
    profile = selectors.profile_visible(viewer=request.user, handle=handle)
    if profile is None:
        raise Http404
    return _render_detail(request, profile, ContactRequestForm())


def _render_detail(request, profile, contact_form, status=200):
    return render(
        request,
        "profiles/detail.html",
        {
            "profile": profile,
            "contact_form": contact_form,
            "can_contact": permissions.can_contact(request.user, profile),
            "can_edit": permissions.can_edit_profile(request.user, profile),
            "availability": [label for flag, label in AVAILABILITY if getattr(profile, flag)],
            # About, skills, languages, links and Hub repositories are the same for everyone
            # who may see the profile: drawn once until the profile or the catalogue changes.
            "body_fragment": SharedFragment("profile-body", ("profiles", "hub"), (profile.pk,)),
            "listed": once(lambda: selectors.with_lists_loaded(profile)),
            "hub_repositories": once(
                lambda: repositories_of_hub_account(profile.hf_username) if profile.hf_verified else []
            ),
            "extra_sections": profile_sections(profile=profile, viewer=request.user),
        },
        status=status,
    )


@login_required
@require_POST
def contact_request_create(request, handle: str):
    profile = selectors.profile_visible(viewer=request.user, handle=handle)
    if profile is None:
        raise Http404
    form = ContactRequestForm(request.POST)
    if form.is_valid():
        try:
            services.contact_request_send(
                sender=request.user, profile=profile, message=form.cleaned_data["message"]
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your message was sent. You will be notified when they answer."))
            return redirect("profiles:detail", handle=profile.handle)
    return _render_detail(request, profile, form, status=400)


@login_required
def my_profile(request):
    profile = services.profile_ensure(user=request.user)
    return redirect("profiles:detail", handle=profile.handle)


@login_required
def profile_edit(request):
    # Accounts made outside sign-up (admin, imports) get their profile on first visit.
    services.profile_ensure(user=request.user)
    profile = selectors.profile_of(request.user)
    skills = list(selectors.skill_taxonomy())
    form = ProfileForm(request.POST or None, request.FILES or None, profile=profile, skills=skills)
    section_errors = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_and_avatar_update(
                actor=request.user, profile=profile, data=form.profile_data(),
                skills=form.skills_data(), languages=form.languages_data(),
                avatar=form.cleaned_data["avatar"], remove_avatar=form.cleaned_data["remove_avatar"],
            )
        except ApplicationError as exc:
            section_errors = add_service_errors(form, exc, sections=("skills", "languages"))
            profile.refresh_from_db()
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("profiles:detail", handle=profile.handle)
    return render(
        request,
        "profiles/edit.html",
        {"form": form, "profile": profile, "section_errors": section_errors},
        status=400 if request.method == "POST" else 200,
    )


# The profile fields each step of the guided setup shows ("notifications" is the notifications form).
FIRST_STEP_FIELDS = {
    "name": ["display_name", "headline"],
    "region": ["region", "country", "city"],
    "skills": ["skills"],
    "languages": ["languages"],
    "links": ["hf_username", "github_username", "orcid", "website"],
}
FIRST_STEP_TITLES = {
    "name": _lazy("How should people call you?"),
    "region": _lazy("Where are you?"),
    "skills": _lazy("What do you work with?"),
    "languages": _lazy("Which languages do you speak?"),
    "links": _lazy("Where else can people find your work?"),
    "notifications": _lazy("What do you want us to tell you about?"),
}


@login_required
def first_steps(request, step: str = ""):
    """The guided setup after sign-up, a step at a time; each step saves with the profile's or the
    notification settings' own form and service, or is skipped, and the next one left follows."""
    remaining = selectors.first_steps_remaining(request.user)
    if not remaining:
        return redirect("my-community")
    if step not in selectors.FIRST_STEPS:
        return redirect("profiles:first-step", step=remaining[0])
    data = request.POST if request.method == "POST" and "skip" not in request.POST else None
    if step == "notifications":
        form = EmailSettingsForm.for_member(request.user, data)
        saved = data is not None and form.is_valid() and form.save(request.user)
    else:
        profile = services.profile_ensure(user=request.user)
        form = ProfileForm(data, profile=profile, skills=list(selectors.skill_taxonomy()), only=FIRST_STEP_FIELDS[step])
        saved = data is not None and form.is_valid() and _first_step_save(request.user, profile, form)
    if saved or (request.method == "POST" and "skip" in request.POST):
        remaining = services.first_step_pass(user=request.user, step=step)
        if not remaining:
            messages.success(request, _("Your profile is set up. Welcome!"))
            return redirect("my-community")
        return redirect("profiles:first-step", step=remaining[0])
    steps = list(selectors.FIRST_STEPS)
    return render(request, "profiles/first_steps.html", {
        "form": form, "step": step, "title": FIRST_STEP_TITLES[step],
        "number": steps.index(step) + 1, "total": len(steps),
    }, status=400 if data is not None else 200)


def _first_step_save(user, profile, form) -> bool:
    try:
        services.profile_update(
            actor=user, profile=profile, data=form.profile_data(),
            skills=form.skills_data(), languages=form.languages_data(),
        )
    except ApplicationError as exc:
        add_service_errors(form, exc)
        return False
    return True


@login_required
def contact_requests(request):
    received = Paginator(selectors.contact_requests_received(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    sent = selectors.contact_requests_sent(user=request.user)[:PAGE_SIZE]
    return render(
        request,
        "profiles/contacts.html",
        {"page": received, "sent": sent, "reply_form": ContactReplyForm()},
    )


@login_required
@require_POST
def contact_request_accept(request, request_id: int):
    form = ContactReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a reply telling them how to reach you."))
        return redirect("profiles:contacts")
    services.contact_request_accept(
        actor=request.user, request_id=request_id, reply=form.cleaned_data["reply"]
    )
    messages.success(request, _("Accepted: they have received your reply."))
    return redirect("profiles:contacts")


@login_required
@require_POST
def contact_request_decline(request, request_id: int):
    services.contact_request_decline(actor=request.user, request_id=request_id)
    messages.success(request, _("Request declined."))
    return redirect("profiles:contacts")


@login_required
def account_settings(request):
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.account_delete(user=request.user, password=form.cleaned_data["password"])
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account and profile have been deleted. Goodbye!"))
            return redirect("home")
    return render(
        request, "profiles/account.html", {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def account_export(request):
    data = account_services.personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
