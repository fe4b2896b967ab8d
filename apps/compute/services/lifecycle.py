"""The request state machine: the only allowed transitions, each one recorded."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compute.models import AllocationRequest, Grant, Transition
from apps.core.errors import Conflict
from apps.core.tasks import enqueue_on_commit

Status = AllocationRequest.Status

# (from, to) pairs that exist; who may take them is decided by the service calling `transition`.
ALLOWED = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.UNDER_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED,
                       Status.REJECTED, Status.WITHDRAWN},
    Status.UNDER_REVIEW: {Status.CHANGES_REQUESTED, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
    Status.CHANGES_REQUESTED: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.APPROVED: {Status.ACTIVE},
    Status.ACTIVE: {Status.COMPLETED},
    Status.REJECTED: set(),
    Status.COMPLETED: set(),
    Status.WITHDRAWN: set(),
}


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED.get(from_status, set())


@transaction.atomic
def transition(*, request: AllocationRequest, to: str, actor=None, note: str = "") -> Transition:
    """Move a request to `to` (locking its row) and record who, when, from, to and why."""
    locked = AllocationRequest.objects.select_for_update().get(pk=request.pk)
    from_status = locked.status
    if not is_allowed(from_status, to):
        raise Conflict(
            _("A request cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(from_status).label, "to": Status(to).label}
        )
    now = timezone.now()
    fields = ["status", "updated_at"]
    locked.status = to
    if to == Status.SUBMITTED and locked.submitted_at is None:
        locked.submitted_at = now
        fields.append("submitted_at")
    if to in (Status.APPROVED, Status.REJECTED):
        locked.decided_at = now
        fields.append("decided_at")
    locked.save(update_fields=fields)
    request.status, request.submitted_at, request.decided_at = (
        locked.status, locked.submitted_at, locked.decided_at
    )
    return Transition.objects.create(
        request=locked, actor=actor, from_status=from_status, to_status=to, note=note
    )


def grants_sync_enqueue(grant_ids) -> None:
    """After commit, have a worker bring these grants' Slurm accounts in line (grants on a cluster only).

    Called wherever a grant's life changes what Slurm should hold: start, end, suspension, more
    units, members and their cluster usernames.
    """
    ids = list(Grant.objects.filter(pk__in=set(grant_ids)).exclude(call__resource__slurm_cluster="")
               .order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        enqueue_on_commit("workers.compute.sync_grant_on_scheduler", pk)
