from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.charts import line_chart
from apps.core.errors import ApplicationError
from apps.core.forms import add_service_errors
from apps.core.fragments import SharedFragment, once
from apps.core.pagination import counted_by_summary
from apps.core.visitor_cache import page_for_visitors
from apps.hub import permissions, selectors, services
from apps.hub.forms import CatalogueFilterForm, OwnerAddForm
from apps.hub.models import HubRepository
from apps.hub.references import repository_references

PAGE_SIZE = 25
CataloguePaginator = counted_by_summary("hub")


@page_for_visitors("hub")
def catalogue(request):
    """The catalogue; its content is the same for everyone, so it is one shared fragment
    per query until the next sync writes."""
    form = CatalogueFilterForm(request.GET or None)
    query = request.GET.copy()
    page_number = query.pop("page", [None])[-1]

    filters = once(form.filters)

    def page():
        return CataloguePaginator(selectors.repository_list(**filters), PAGE_SIZE).get_page(page_number)

    return render(request, "hub/catalogue.html", {
        "form": form, "filters": filters, "page": once(page),
        "facets": once(lambda: selectors.catalogue_facets(kind=filters["kind"], q=filters.get("q"), current=filters)),
        "query": query.urlencode(), "kinds": HubRepository.Kind.choices,
        "fragment": SharedFragment("catalogue", ("hub",), (sorted(request.GET.lists()),)),
    })


# What a repository's page shows: the catalogue, and the references of the other apps
# (apps/hub/references.py), among them profiles, which their owners hide or deactivate.
REPOSITORY_PAGE_TOPICS = ("hub", "profiles", "compute", "hackathons", "meetups")


@page_for_visitors(*REPOSITORY_PAGE_TOPICS)
def repository_detail(request, kind, repo_id):
    repository = selectors.repository_get(kind=kind, repo_id=repo_id)
    if repository is None:
        raise Http404
    return render(request, "hub/repository_detail.html", {
        "repository": repository, "charts": once(lambda: _trend_charts(repository)),
        "references": once(lambda: repository_references(kind=repository.kind, repo_id=repository.repo_id)),
        # Nothing below the title depends on who reads it (the references are what any visitor
        # may see): drawn once for every member until the catalogue or a referring app changes.
        "body_fragment": SharedFragment("repository-page", REPOSITORY_PAGE_TOPICS, (repository.pk,)),
    })


def _trend_charts(repository: HubRepository) -> dict | None:
    """The downloads and likes charts of a repository's last 30 days; None without history."""
    trend = selectors.repository_trend(repository)
    if not trend:
        return None
    labels = [snap.day.strftime("%d/%m") for snap in trend]
    return {
        "downloads": line_chart(
            list(zip(labels, [snap.downloads for snap in trend])),
            title=_("Downloads in the previous 30 days, day by day"),
        ),
        "likes": line_chart(list(zip(labels, [snap.likes for snap in trend])), title=_("Likes"), height=160),
    }


def owner_list(request):
    form = OwnerAddForm()
    if request.method == "POST":
        form = OwnerAddForm(request.POST)
        if form.is_valid():
            try:
                owner = services.owner_add(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Now tracking %(name)s; the first sync has been queued.")
                                 % {"name": owner.name})
                return redirect("hub:owner", name=owner.name)
    page = Paginator(selectors.owner_list(), 50).get_page(request.GET.get("page"))
    return render(request, "hub/owner_list.html", {
        "page": page, "form": form, "can_add": permissions.can_manage_owners(request.user),
    })


def owner_detail(request, name):
    owner = selectors.owner_get(name)
    if owner is None:
        raise Http404
    adoption = selectors.owner_adoption(owner)
    chart = None
    if adoption["daily"]:
        chart = line_chart(
            [(day.strftime("%d/%m"), value) for day, value in adoption["daily"]],
            title=_("Downloads in the previous 30 days, all repositories"),
        )
    return render(request, "hub/owner_detail.html", {
        "owner": owner, "adoption": adoption, "chart": chart,
        "can_sync": permissions.can_sync_owner(request.user, owner),
        "running": services.owner_sync_running(owner.pk),
        "checked_at": services.owner_last_checked(owner.pk),
    })


@login_required
@require_POST
def owner_sync(request, name):
    owner = selectors.owner_get(name)
    if owner is None:
        raise Http404
    try:
        queued = services.owner_sync_request(actor=request.user, owner=owner)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("hub:owner", name=owner.name)
    if queued:
        messages.success(request, _("Sync queued. The numbers update in a minute or two."))
    else:
        messages.info(request, _("A sync of this owner is already queued or running."))
    return redirect("hub:owner", name=owner.name)
