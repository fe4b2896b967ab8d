"""Pages of the transparency register; public except the funding forms (staff and auditors)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from apps.core.charts import line_chart, position_of
from apps.core.errors import ApplicationError
from apps.hub import selectors as hub_selectors
from apps.hub.references import repository_references
from apps.transparency import permissions, selectors, services
from apps.transparency.exports import CSV_COLUMNS, row_as_dict
from apps.transparency.forms import LANGUAGE_CHOICES, FundingRecordForm, RegisterFilterForm


def _filtered(request):
    form = RegisterFilterForm(request.GET or None)
    filters = form.filters()
    return form, filters, selectors.register(**filters)


def register(request):
    form, filters, rows = _filtered(request)
    query = request.GET.copy()
    query.pop("sort", None)
    return render(request, "transparency/register.html", {
        "form": form, "filters": filters, "rows": rows, "choices": selectors.register_filters(),
        "as_of": filters["as_of"] or timezone.localdate(), "query": query.urlencode(),
        "permalink_query": _permalink_query(request, filters),
        "can_write": permissions.can_write_funding(request.user), "language_choices": LANGUAGE_CHOICES,
    })


def _permalink_query(request, filters) -> str:
    """The current view pinned to its day, so the link keeps showing the same figures."""
    query = request.GET.copy()
    query["as_of"] = (filters["as_of"] or timezone.localdate()).isoformat()
    return query.urlencode()


def register_csv(request):
    _form, filters, rows = _filtered(request)
    as_of = (filters["as_of"] or timezone.localdate()).isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="public-money-register-{as_of}.csv"'
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row_as_dict(row, as_of=as_of, request=request))
    return response


def register_json(request):
    _form, filters, rows = _filtered(request)
    as_of = (filters["as_of"] or timezone.localdate()).isoformat()
    return JsonResponse({"as_of": as_of, "rows": [row_as_dict(row, as_of=as_of, request=request) for row in rows]},
                        json_dumps_params={"ensure_ascii": False})


def item_detail(request, key):
    form = RegisterFilterForm(request.GET or None)
    as_of = form.filters()["as_of"]
    row = selectors.register_row(key=key, as_of=as_of)
    if row is None:
        raise Http404
    trend = selectors.row_trend(row=row, as_of=as_of)
    references = {}
    if row.kind != "owner":
        references = repository_references(kind=row.kind, repo_id=row.name)
    events = _events(row, trend, references)
    chart = line_chart(
        [(day.strftime("%d/%m"), total) for day, total in trend],
        title=_("Downloads in the previous 30 days, day by day"),
        markers=_trend_markers(trend, events),
    ) if trend else None
    return render(request, "transparency/item_detail.html", {
        "row": row, "form": form, "as_of": as_of or timezone.localdate(), "chart": chart,
        "events": events,
        "comparables": selectors.comparable_repositories(row=row),
        "references": references,
    })


def _events(row, trend, references) -> list[dict]:
    """What might explain changes in the trend: funding, releases on the Hub, activity here."""
    events = [
        {"day": record.awarded_on, "kind": _("Funding"),
         "label": f"{record.programme} · {record.funder}", "url": reverse("transparency:funding-detail", kwargs={"pk": record.pk})}
        for record in row.records
    ]
    events += [
        {"day": repo.hub_created_at.date(), "kind": _("Published on the Hub"), "label": repo.repo_id,
         "url": repo.hub_url}
        for repo in selectors.row_releases(row=row)
    ]
    for section, items in references.items():
        events += [{"day": None, "kind": section, "label": item.label, "url": item.url} for item in items]
    return sorted(events, key=lambda e: (e["day"] is None, e["day"] or timezone.localdate()), reverse=False)


def _trend_markers(trend, events) -> list[tuple[float, str]]:
    """The dated events (funding, Hub releases) that fall inside the trend, as chart markers."""
    days = [day for day, _total in trend]
    markers = []
    for event in events:
        position = position_of(days, event["day"]) if event["day"] else None
        if position is not None:
            markers.append((position, f"{event['kind']}: {event['label']}"))
    return markers


@cache_control(public=True, max_age=3600)
def badge(request, kind, repo_id):
    repository = hub_selectors.repository_get(kind=kind, repo_id=repo_id) if kind in ("model", "dataset") else None
    if repository is None:
        raise Http404
    row = selectors.repository_funding(repository)
    response = render(request, "transparency/badge.svg", {
        "repository": repository, "row": row,
    }, content_type="image/svg+xml; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def funding_list(request):
    return render(request, "transparency/funding_list.html", {
        "records": selectors.funding_record_list(), "can_write": permissions.can_write_funding(request.user),
        "compute_costs": selectors.compute_costs_by_resource(),
    })


def funding_detail(request, pk):
    record = selectors.funding_record_get(pk)
    if record is None:
        raise Http404
    return render(request, "transparency/funding_detail.html", {
        "record": record, "history": selectors.funding_record_history(record),
        "can_write": permissions.can_write_funding(request.user),
    })


@login_required
def funding_edit(request, pk=None):
    if not permissions.can_write_funding(request.user):
        raise PermissionDenied
    record = None
    if pk is not None:
        record = selectors.funding_record_get(pk)
        if record is None:
            raise Http404
    form = FundingRecordForm(request.POST or None,
                             initial=FundingRecordForm.initial_for(record) if record else None)
    if request.method == "POST" and form.is_valid():
        try:
            if record is None:
                record = services.funding_record_create(actor=request.user, data=form.service_data())
            else:
                record = services.funding_record_update(actor=request.user, record_id=record.pk,
                                                        data=form.service_data())
        except ApplicationError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Funding record saved."))
            return redirect("transparency:funding-detail", pk=record.pk)
    return render(request, "transparency/funding_form.html", {"form": form, "record": record})
