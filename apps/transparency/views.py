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
from apps.core.forms import add_service_errors
from apps.hub import selectors as hub_selectors
from apps.hub.references import repository_references
from apps.transparency import permissions, selectors, services
from apps.transparency.exports import CSV_COLUMNS, csv_cell, data_package, row_as_dict, totals_as_dict
from apps.transparency.forms import LANGUAGE_CHOICES, SORT_CHOICES, FundingRecordForm, RegisterFilterForm


def _filtered(request):
    form = RegisterFilterForm(request.GET or None)
    filters = form.filters()
    return form, filters, selectors.register(**filters)


def register(request):
    form, filters, rows = _filtered(request)
    query = request.GET.copy()
    for name in ("sort", "order"):
        query.pop(name, None)
    return render(request, "transparency/register.html", {
        "form": form, "filters": filters, "rows": rows, "totals": selectors.register_totals(rows),
        "choices": _choices(selectors.register_filters(selectors.register_unfiltered(as_of=filters["as_of"])), filters),
        "as_of": filters["as_of"] or timezone.localdate(), "query": query.urlencode(),
        "permalink_query": _permalink_query(request, filters), "sort_choices": SORT_CHOICES,
        "can_write": permissions.can_write_funding(request.user),
    })


def _choices(choices: dict[str, list[tuple]], filters: dict) -> dict[str, list[tuple]]:
    """(value, shown, count) for the filter menus, languages by name; a value from the URL that
    matches no row stays shown and selected, with its 0, so the reader sees why the list is empty."""
    names = dict(LANGUAGE_CHOICES)
    for name, key in (("programmes", "programme"), ("funders", "funder"), ("calls", "call"),
                      ("languages", "language"), ("years", "year")):
        if filters[key] and filters[key] not in {value for value, _count in choices[name]}:
            choices[name].append((filters[key], 0))
    return {name: [(value, names.get(value, value) if name == "languages" else value, count)
                   for value, count in options] for name, options in choices.items()}


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
    # The byte-order mark makes spreadsheet programs read the file as UTF-8 (accents intact).
    response.write("\ufeff")
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({name: csv_cell(value) for name, value in row_as_dict(row, as_of=as_of, request=request).items()})
    return response


def register_datapackage(request):
    _form, filters, _rows = _filtered(request)
    as_of = (filters["as_of"] or timezone.localdate()).isoformat()
    csv_url = request.build_absolute_uri(reverse("transparency:register-csv") + "?" + _permalink_query(request, filters))
    return JsonResponse(data_package(csv_url=csv_url, as_of=as_of), json_dumps_params={"ensure_ascii": False})


def register_json(request):
    _form, filters, rows = _filtered(request)
    as_of = (filters["as_of"] or timezone.localdate()).isoformat()
    return JsonResponse({
        "as_of": as_of, "rows": [row_as_dict(row, as_of=as_of, request=request) for row in rows],
        "totals": totals_as_dict(selectors.register_totals(rows)),
    }, json_dumps_params={"ensure_ascii": False})


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
        "record": record,
        "history": [(change, selectors.funding_change_lines(change)) for change in selectors.funding_record_history(record)],
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
            reason = form.cleaned_data["reason"]
            if record is None:
                record = services.funding_record_create(actor=request.user, data=form.service_data(), reason=reason)
            else:
                record = services.funding_record_update(actor=request.user, record_id=record.pk,
                                                        data=form.service_data(), reason=reason)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Funding record saved."))
            return redirect("transparency:funding-detail", pk=record.pk)
    return render(request, "transparency/funding_form.html", {"form": form, "record": record})
