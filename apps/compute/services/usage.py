"""Usage reported by resource operators, thresholds, and the grant calendar (start, reminders, expiry)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.compute import permissions
from apps.compute.models import AllocationRequest, Grant, RequestMember, Resource, UsageRecord
from apps.compute.services.csv_lines import csv_lines
from apps.compute.services.lifecycle import grants_sync_enqueue, transition
from apps.compute.services.requests import request_url
from apps.core.errors import InvalidInput, NotAllowed, NotFound
from apps.core.formatting import day, quantity
from apps.notifications.services import notify

Status = AllocationRequest.Status
REPORTABLE = {Status.APPROVED, Status.ACTIVE, Status.COMPLETED}
THRESHOLDS = (50, 80, 100)
REMINDER_DAYS = (30, 7, 1)
MAX_UNITS = Decimal(10) ** 12


@dataclass
class UsageLine:
    request_id: int
    period_start: date
    period_end: date
    units: Decimal


def _grant_for_report(*, actor, request_id) -> Grant:
    grant = (
        Grant.objects.select_related("request__call__resource")
        .prefetch_related("request__call__resource__operators")
        .filter(request_id=request_id).first()
    )
    if grant is None or grant.request.status not in REPORTABLE:
        raise NotFound(_("There is no grant for request %s.") % request_id)
    if not permissions.can_report_usage(actor, grant.request.call.resource):
        raise NotAllowed(_("You are not an operator of the resource of request %s.") % request_id)
    return grant


def _validate_line(line: UsageLine) -> dict[str, list[str]]:
    errors = {}
    if line.units is None or line.units < 0:
        errors["units"] = [_("Units must be zero or more.")]
    elif line.units >= MAX_UNITS or line.units != line.units.quantize(Decimal("0.01")):
        # The column holds 14 digits with 2 decimals; beyond that the database would refuse it.
        errors["units"] = [_("Units must be below %s, with at most two decimals.") % MAX_UNITS]
    if line.period_start and line.period_end and line.period_end < line.period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    return errors


def _period_errors(grant: Grant, line: UsageLine) -> dict[str, list[str]]:
    """The period must fall within the grant, give or take COMPUTE_USAGE_GRACE_DAYS.

    The grace covers jobs that started inside the grant and are accounted a few days
    late; anything further out is a typo (wrong year, wrong request) and is refused.
    """
    grace = timedelta(days=settings.COMPUTE_USAGE_GRACE_DAYS)
    earliest, latest = grant.start_date - grace, grant.end_date + grace
    values = {"start": grant.start_date, "end": grant.end_date}
    errors = {}
    if line.period_start < earliest:
        errors["period_start"] = [_("The grant runs from %(start)s to %(end)s: this period starts before it.")
                                  % values]
    if line.period_end > latest:
        errors["period_end"] = [_("The grant runs from %(start)s to %(end)s: this period ends after it.")
                                % values]
    return errors


def lock_grants(grant_ids) -> None:
    """Serialise reports on the same grants (in id order, so two imports cannot deadlock).

    Without it two first reports for one period both find no row and both insert; the
    unique constraint then fails one of them instead of turning it into an update.
    """
    list(Grant.objects.select_for_update().filter(pk__in=set(grant_ids)).order_by("pk").values_list("pk"))


def _record(*, actor, grant: Grant, line: UsageLine, source: str, note: str = "") -> UsageRecord:
    record, _created = UsageRecord.objects.update_or_create(
        grant=grant, period_start=line.period_start, period_end=line.period_end,
        defaults={"units": line.units, "reported_by": actor, "source": source, "note": note.strip()},
    )
    return record


def grant_used(grant_id: int) -> Decimal:
    return UsageRecord.objects.filter(grant_id=grant_id).aggregate(t=Sum("units"))["t"] or Decimal("0")


def announce_thresholds(grant_id: int) -> None:
    """Tell the applicant and managers once as usage crosses 50 %, 80 % and 100 %, whoever measured it."""
    grant = Grant.objects.select_for_update().select_related("request__call__resource", "request__applicant").get(
        pk=grant_id)
    used = grant_used(grant.pk)
    percent = used * 100 / grant.units
    crossed = max((t for t in THRESHOLDS if percent >= t), default=0)
    if crossed <= grant.usage_notified_percent:
        return
    grant.usage_notified_percent = crossed
    grant.save(update_fields=["usage_notified_percent"])
    request = grant.request
    values = {"title": request.title, "used": used, "units": grant.units,
              "unit": Resource.Unit(request.call.resource.unit).label, "percent": int(percent)}
    title = (
        gettext_lazy("“%(title)s” has used its whole grant (%(percent)s%%)") if crossed >= 100
        else gettext_lazy("“%(title)s” has used %(percent)s%% of its grant")
    )
    notify(recipients=[request.applicant, *request.call.managers.all()], kind="compute.usage_threshold",
           title=lambda: title % values,
           body=lambda: _("%(used)s of %(units)s %(unit)s used.") % {
               **values, "used": quantity(used), "units": quantity(grant.units)},
           url=request_url(request))


@transaction.atomic
def usage_report(*, actor, request_id: int, period_start: date, period_end: date, units: Decimal,
                 source: str = UsageRecord.Source.API, note: str = "") -> UsageRecord:
    """Record (or correct) one period's consumption, one line as the CSV import checks each of its
    lines (the API and the operators' form); overruns are kept and flagged, never capped."""
    line = UsageLine(request_id, period_start, period_end, units)
    errors = _validate_line(line)
    if errors:
        raise InvalidInput(errors=errors)
    grant = _grant_for_report(actor=actor, request_id=request_id)
    errors = _period_errors(grant, line)
    if errors:
        raise InvalidInput(errors=errors)
    lock_grants([grant.pk])
    record = _record(actor=actor, grant=grant, line=line, source=source, note=note)
    announce_thresholds(grant.pk)
    return record


def _parse_line(cells: list[str]) -> tuple[UsageLine | None, list[str]]:
    if len(cells) != 4:
        return None, [_("Expected four columns: request_id, period_start, period_end, units.")]
    messages = []
    request_id = int(cells[0]) if cells[0].isdigit() else None
    if request_id is None:
        messages.append(_("“%s” is not a request id.") % cells[0])
    try:
        start, end = parse_date(cells[1]), parse_date(cells[2])
    except ValueError:
        start = end = None
    if start is None or end is None:
        messages.append(_("Dates must be written YYYY-MM-DD."))
    try:
        units = Decimal(cells[3])
        if not units.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        units = None
        messages.append(_("“%s” is not a number of units.") % cells[3])
    line = UsageLine(request_id, start, end, units)
    if not messages:
        messages = [m for field_messages in _validate_line(line).values() for m in field_messages]
    return (None if messages else line), messages


@transaction.atomic
def usage_import_csv(*, actor, content: str) -> list[UsageRecord]:
    """Import `request_id,period_start,period_end,units` lines: all of them, or nothing.

    Every line is checked first; any error is reported with its line number and nothing
    is written.
    """
    errors: dict[str, list[str]] = {}
    parsed: list[tuple[Grant, UsageLine]] = []
    seen: dict[tuple, int] = {}
    for number, cells in csv_lines(content, header_first_cell="request_id"):
        key = f"line {number}"  # a stable key, like a field name
        line, messages = _parse_line(cells)
        if line is not None:
            try:
                grant = _grant_for_report(actor=actor, request_id=line.request_id)
            except (NotFound, NotAllowed) as error:
                messages = [str(error.message)]
            else:
                period = (line.request_id, line.period_start, line.period_end)
                messages = [m for field_messages in _period_errors(grant, line).values() for m in field_messages]
                if period in seen:
                    messages = [_("Same request and period as line %d.") % seen[period]]
                seen[period] = number
        if messages:
            errors[key] = messages
        else:
            parsed.append((grant, line))
    if not errors and not parsed:
        errors["file"] = [_("The file has no usage lines.")]
    if errors:
        raise InvalidInput(_("Nothing was imported: fix the lines below and upload again."), errors=errors)
    lock_grants(g.pk for g, _line in parsed)
    records = [_record(actor=actor, grant=g, line=line, source=UsageRecord.Source.CSV) for g, line in parsed]
    for grant_id in sorted({g.pk for g, _line in parsed}):
        announce_thresholds(grant_id)
    return records


@transaction.atomic
def grants_start_and_expire(*, today: date | None = None) -> dict[str, int]:
    """Daily: approved grants whose start date came become active; ended ones complete."""
    today = today or timezone.localdate()
    started = expired = 0
    changed = []
    starting = AllocationRequest.objects.filter(status=Status.APPROVED, grant__start_date__lte=today)
    for request in starting.select_for_update(of=("self",)).select_related("grant"):
        transition(request=request, to=Status.ACTIVE, note=_("The grant period started."))
        changed.append(request.grant.pk)
        started += 1
    ending = Grant.objects.filter(request__status=Status.ACTIVE, end_date__lte=today).select_related(
        "request__applicant")
    for grant in ending.select_for_update(of=("self",)):
        transition(request=grant.request, to=Status.COMPLETED, note=_("The grant period ended."))
        grant.expired_at = timezone.now()
        grant.save(update_fields=["expired_at"])
        notify(recipients=[grant.request.applicant], kind="compute.grant_expired",
               title=lambda: _("Your grant for “%s” has ended") % grant.request.title, url=request_url(grant.request))
        changed.append(grant.pk)
        expired += 1
    grants_sync_enqueue(changed)
    return {"started": started, "expired": expired}


@transaction.atomic
def grant_reminders_send(*, today: date | None = None) -> int:
    """Daily: one message per person listing every grant ending in 30, 7 or 1 days.

    `last_reminder_days` remembers the reminder already sent, so running twice on the
    same day (or missing a day) never repeats or skips one.
    """
    today = today or timezone.localdate()
    due = []
    grants = (
        Grant.objects.select_for_update(of=("self",))
        .filter(request__status__in=[Status.APPROVED, Status.ACTIVE],
                end_date__gt=today, end_date__lte=today + timedelta(days=max(REMINDER_DAYS)))
        .select_related("request__applicant", "request__call__resource")
        .order_by("end_date", "pk")
    )
    for grant in grants:
        days_left = (grant.end_date - today).days
        reminder = min(d for d in REMINDER_DAYS if d >= days_left)
        if grant.last_reminder_days is not None and grant.last_reminder_days <= reminder:
            continue
        grant.last_reminder_days = reminder
        grant.save(update_fields=["last_reminder_days"])
        due.append((grant, days_left))
    if not due:
        return 0
    members = defaultdict(list)
    for member in RequestMember.objects.filter(request_id__in=[g.request_id for g, _d in due]).select_related(
            "user"):
        members[member.request_id].append(member.user)
    per_person = defaultdict(list)
    people = {}
    for grant, days_left in due:
        for person in [grant.request.applicant, *members[grant.request_id]]:
            people[person.pk] = person
            per_person[person.pk].append((grant, days_left))
    for pk, items in per_person.items():
        lines = [
            _("• “%(title)s”: ends on %(end)s (in %(days)s days), %(units)s %(unit)s granted.") % {
                "title": g.request.title, "end": day(g.end_date), "days": d, "units": quantity(g.units),
                "unit": g.request.call.resource.get_unit_display(),
            }
            for g, d in items
        ]
        notify(recipients=[people[pk]], kind="compute.grant_reminder",
               title=lambda: _("%d of your compute grants end soon") % len(items) if len(items) > 1
               else _("Your compute grant “%s” ends soon") % items[0][0].request.title,
               body="\n".join(lines) + "\n\n" + _("You can ask for an extension from the request page."),
               url=reverse("compute:my-requests"))
    return len(per_person)
