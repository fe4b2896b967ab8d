"""Managers' decisions: approvals within the budget, rejections, staged decisions, change requests."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compute import permissions
from apps.compute.models import AllocationRequest, Call, ChangeRequest, Grant
from apps.compute.services.lifecycle import grants_sync_enqueue, transition
from apps.compute.services.requests import granted_total, request_url
from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.core.formatting import day, quantity
from apps.notifications.services import Text, notify

Status = AllocationRequest.Status
DECIDABLE = {Status.SUBMITTED, Status.UNDER_REVIEW}


def _lock_call_and_check_budget(call_id: int, units: Decimal) -> Call:
    """Lock the call row so concurrent approvals queue up, then check what is left.

    Every write that adds granted units goes through here, inside its transaction, so
    the sum of grants can never pass the budget.
    """
    call = Call.objects.select_for_update().select_related("resource").get(pk=call_id)
    left = call.budget - granted_total(call_id)
    if units > left:
        raise Conflict(
            _("Granting %(units)s %(unit)s would exceed the call's budget: only %(left)s %(unit)s are left.")
            % {"units": quantity(units), "left": quantity(left), "unit": call.resource.get_unit_display()},
            errors={"units": [_("Only %(left)s units are left in this call.") % {"left": quantity(left)}]},
        )
    return call


def _require_manager(actor, call) -> None:
    if not permissions.is_call_manager(actor, call):
        raise NotAllowed(_("Only the call's managers can decide on requests."))


def _tell_applicants(request: AllocationRequest, *, title: Text, body: Text) -> None:
    notify(
        recipients=[request.applicant, *(m.user for m in request.members.select_related("user"))],
        kind="compute.decision", title=title, body=body, url=request_url(request),
    )


def _approve(*, actor, request: AllocationRequest, units: Decimal, note: str, decided_on=None) -> Grant:
    errors = {}
    if units is None or units <= 0:
        errors["units"] = [_("Grant a positive number of units.")]
    elif units > request.requested_units:
        errors["units"] = [_("You cannot grant more than the %(units)s units requested.") % {
            "units": quantity(request.requested_units)}]
    if errors:
        raise InvalidInput(errors=errors)
    if request.status not in DECIDABLE:
        raise Conflict(_("Only submitted requests under review can be decided."))
    _lock_call_and_check_budget(request.call_id, units)
    transition(request=request, to=Status.APPROVED, actor=actor, note=note)
    today = decided_on or timezone.localdate()
    start = max(request.desired_start, today)
    try:
        end = start + timedelta(days=request.duration_days)
    except OverflowError as error:
        raise InvalidInput(errors={"desired_start": [_("The requested dates are out of range.")]}) from error
    grant = Grant.objects.create(
        request=request, call_id=request.call_id, units=units, start_date=start,
        end_date=end, decided_by=actor, note=note,
    )
    if start <= today:
        transition(request=request, to=Status.ACTIVE, actor=None, note=_("The grant period started."))
        grants_sync_enqueue([grant.pk])
    unit = request.call.resource.get_unit_display()
    _tell_applicants(
        request, title=lambda: _("Your compute request “%s” was approved") % request.title,
        body=lambda: _("%(units)s %(unit)s from %(start)s to %(end)s.") % {
            "units": quantity(units), "unit": unit, "start": day(grant.start_date), "end": day(grant.end_date),
        } + (f"\n\n{note}" if note else ""),
    )
    return grant


def _reject(*, actor, request: AllocationRequest, note: str) -> None:
    if not note.strip():
        raise InvalidInput(errors={"note": [_("Explain the decision to the applicant.")]})
    if request.status not in DECIDABLE:
        raise Conflict(_("Only submitted requests under review can be decided."))
    transition(request=request, to=Status.REJECTED, actor=actor, note=note)
    _tell_applicants(request, title=lambda: _("Your compute request “%s” was not approved") % request.title, body=note)


@transaction.atomic
def request_approve(*, actor, request: AllocationRequest, units: Decimal, note: str = "", decided_on=None) -> Grant:
    """Approve, with granted units ≤ requested units and within the call's budget.

    `decided_on` replays a decision taken on an earlier day (demo data, imports of past calls):
    the grant starts no earlier than that day instead of today.
    """
    _require_manager(actor, request.call)
    return _approve(actor=actor, request=request, units=units, note=note, decided_on=decided_on)


@transaction.atomic
def request_reject(*, actor, request: AllocationRequest, note: str) -> AllocationRequest:
    _require_manager(actor, request.call)
    _reject(actor=actor, request=request, note=note)
    return request


@transaction.atomic
def decision_stage(*, actor, request: AllocationRequest, decision: str, units: Decimal | None = None,
                   note: str = "") -> AllocationRequest:
    """Prepare a decision now and apply it later with the others (or clear it with decision="")."""
    _require_manager(actor, request.call)
    if request.status not in DECIDABLE:
        raise Conflict(_("Only submitted requests under review can be decided."))
    if decision not in AllocationRequest.StagedDecision.values:
        raise InvalidInput(errors={"decision": [_("Choose approve or reject.")]})
    if decision == AllocationRequest.StagedDecision.APPROVE:
        if units is None or not 0 < units <= request.requested_units:
            raise InvalidInput(errors={"units": [
                _("Grant between 0 and the %(units)s units requested.") % {"units": quantity(request.requested_units)}
            ]})
    elif decision == AllocationRequest.StagedDecision.REJECT and not note.strip():
        raise InvalidInput(errors={"note": [_("Explain the decision to the applicant.")]})
    request.staged_decision = decision
    request.staged_units = units if decision == AllocationRequest.StagedDecision.APPROVE else None
    request.staged_note = note
    request.staged_by = actor if decision else None
    request.save(update_fields=["staged_decision", "staged_units", "staged_note", "staged_by", "updated_at"])
    return request


@transaction.atomic
def staged_decisions_apply(*, actor, call: Call) -> int:
    """Apply every staged decision of a closed call together: all of them, or none."""
    _require_manager(actor, call)
    if timezone.now() < call.closes_at:
        raise Conflict(_("Staged decisions are applied once the call has closed."))
    # The call row first, as every approval does, so concurrent writers never deadlock.
    Call.objects.select_for_update().filter(pk=call.pk).first()
    staged = list(
        AllocationRequest.objects.select_for_update()
        .filter(call=call, status__in=DECIDABLE).exclude(staged_decision="")
        .select_related("call__resource", "applicant").order_by("pk")
    )
    wanted = sum((r.staged_units for r in staged if r.staged_decision == "approve"), Decimal("0"))
    _lock_call_and_check_budget(call.pk, wanted)
    for request in staged:
        if request.staged_decision == AllocationRequest.StagedDecision.APPROVE:
            _approve(actor=actor, request=request, units=request.staged_units, note=request.staged_note)
        else:
            _reject(actor=actor, request=request, note=request.staged_note)
    AllocationRequest.objects.filter(pk__in=[r.pk for r in staged]).update(
        staged_decision="", staged_units=None, staged_note="", staged_by=None
    )
    return len(staged)


@transaction.atomic
def change_request_create(*, actor, request: AllocationRequest, reason: str,
                          extra_units: Decimal = Decimal("0"), new_end_date=None) -> ChangeRequest:
    """The applicant asks for more units and/or a later end date on their grant."""
    if not permissions.can_ask_for_change(actor, request):
        raise NotAllowed(_("Only the applicant of an approved or active grant can ask for changes to it."))
    grant = request.grant
    errors = {}
    if extra_units < 0:
        errors["extra_units"] = [_("Extra units cannot be negative.")]
    if new_end_date is not None and new_end_date <= grant.end_date:
        errors["new_end_date"] = [_("The new end date must be after the current one (%s).") % grant.end_date]
    if extra_units == 0 and new_end_date is None:
        errors["extra_units"] = [_("Ask for extra units, a later end date, or both.")]
    if not reason.strip():
        errors["reason"] = [_("Explain why you need the change.")]
    if errors:
        raise InvalidInput(errors=errors)
    if grant.change_requests.filter(status=ChangeRequest.Status.PENDING).exists():
        raise Conflict(_("There is already a pending change request for this grant."))
    change = ChangeRequest.objects.create(
        grant=grant, requested_by=actor, extra_units=extra_units, new_end_date=new_end_date, reason=reason
    )
    notify(
        recipients=list(request.call.managers.all()), kind="compute.change_requested",
        title=lambda: _("Change requested on the grant “%s”") % request.title, body=reason,
        url=reverse("compute:call-manage", args=[request.call.slug]),
    )
    return change


@transaction.atomic
def change_request_decide(*, actor, change: ChangeRequest, approve: bool, note: str) -> ChangeRequest:
    """Managers approve (within the budget) or deny, always with a justification."""
    change = ChangeRequest.objects.select_for_update().select_related(
        "grant__request__call", "grant__request__applicant").get(pk=change.pk)
    request = change.grant.request
    _require_manager(actor, request.call)
    if change.status != ChangeRequest.Status.PENDING:
        raise Conflict(_("This change request was already decided."))
    if not note.strip():
        raise InvalidInput(errors={"note": [_("Justify the decision.")]})
    if approve:
        _lock_call_and_check_budget(request.call_id, change.extra_units)
        grant = Grant.objects.select_for_update().get(pk=change.grant_id)
        grant.units += change.extra_units
        if change.new_end_date:
            grant.end_date = change.new_end_date
            grant.last_reminder_days = None  # reminders start again for the new end date
        grant.save(update_fields=["units", "end_date", "last_reminder_days"])
        grants_sync_enqueue([grant.pk])
    change.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.DENIED
    change.decided_by, change.decision_note, change.decided_at = actor, note, timezone.now()
    change.save(update_fields=["status", "decided_by", "decision_note", "decided_at"])
    _tell_applicants(
        request,
        title=lambda: (_("Your change request on “%s” was approved") if approve
               else _("Your change request on “%s” was denied")) % request.title,
        body=note,
    )
    return change
