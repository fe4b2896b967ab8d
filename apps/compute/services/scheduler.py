"""Grants on a Slurm cluster: accounts with hard limits, usage read from its accounting, drift checks.

The platform's grants are the source of truth. Every run computes what Slurm should hold from
them, reads what Slurm holds, and changes only the difference, one command at a time; what it
applied is recorded on the grant's `GrantSync` as it goes. A run cut short (Slurm down, a
timeout) leaves the grant marked with the error, and the next run starts again from what Slurm
really has, so it converges instead of replaying.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compute import permissions
from apps.compute.models import (
    AllocationRequest,
    ClusterUsername,
    Grant,
    GrantSync,
    Resource,
    UsageRecord,
)
from apps.compute.services.lifecycle import grants_sync_enqueue
from apps.compute.services.usage import lock_grants, usage_recorded
from apps.compute.slurm import (
    USERNAME,
    Association,
    SchedulerError,
    Slurm,
    call_account,
    check_name,
    grant_account,
    limit_minutes,
    tres_count,
)
from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.notifications.services import notify

Status = AllocationRequest.Status
ON_CLUSTER = (Status.ACTIVE, Status.COMPLETED)
HOUR = Decimal(3600)


@dataclass(frozen=True)
class Desired:
    """What Slurm should hold for one grant."""

    grant_id: int
    account: str
    parent: str
    tres: str
    limit: int
    blocked: bool
    users: frozenset[str]


def _grants(resource: Resource):
    return (Grant.objects.filter(call__resource=resource, request__status__in=ON_CLUSTER)
            .select_related("request", "call").prefetch_related("request__members").order_by("pk"))


def _usernames(resource: Resource) -> dict[int, str]:
    """Confirmed cluster usernames by user id: declared names count only once an operator confirms them."""
    return dict(ClusterUsername.objects.filter(resource=resource, confirmed_at__isnull=False)
                .values_list("user_id", "username"))


def _desired(grant: Grant, resource: Resource, usernames: dict[int, str]) -> Desired:
    people = [grant.request.applicant_id, *(m.user_id for m in grant.request.members.all())]
    return Desired(
        grant_id=grant.pk, account=grant_account(grant.pk), parent=call_account(grant.call_id),
        tres=resource.slurm_tres, limit=limit_minutes(grant.units),
        # Ended or suspended: no new jobs, while the account and its job history stay.
        blocked=grant.request.status == Status.COMPLETED or grant.suspended_at is not None,
        users=frozenset(usernames[p] for p in people if p in usernames),
    )


def _limit_args(desired: Desired) -> list[str]:
    return [f"GrpTRESMins={desired.tres}={desired.limit}", f"GrpSubmitJobs={0 if desired.blocked else -1}"]


def _is_blocked(row: Association) -> bool:
    return row.grp_submit_jobs == 0


def _converge(slurm: Slurm, desired: Desired, sync: GrantSync, rows: list[Association]) -> None:
    cluster = f"cluster={slurm.cluster}"
    if not any(r.account == desired.parent and not r.user for r in rows):
        slurm.sacctmgr("add", "account", desired.parent, cluster, f"description=call-{desired.parent}",
                       "organization=community")
    account = next((r for r in rows if r.account == desired.account and not r.user), None)
    qos = [f"qos={check_name(slurm.resource.slurm_qos)}"] if slurm.resource.slurm_qos else []
    if account is None:
        slurm.sacctmgr("add", "account", desired.account, f"parent={desired.parent}", cluster,
                       f"description=grant-{desired.grant_id}", "organization=community", *qos,
                       *_limit_args(desired))
    elif account.grp_tres_mins.get(desired.tres) != desired.limit or _is_blocked(account) != desired.blocked:
        slurm.sacctmgr("modify", "account", "where", f"name={desired.account}", cluster, "set",
                       *_limit_args(desired))
    sync.applied_limit_minutes, sync.applied_blocked = desired.limit, desired.blocked
    sync.save(update_fields=["applied_limit_minutes", "applied_blocked"])
    present = {r.user for r in rows if r.account == desired.account and r.user}
    partition = ([f"partition={check_name(slurm.resource.slurm_partition)}"]
                 if slurm.resource.slurm_partition else [])
    for user in sorted(desired.users - present):
        slurm.sacctmgr("add", "user", check_name(user, username=True), f"account={desired.account}", cluster,
                       *partition, *qos)
        present.add(user)
        sync.applied_users = sorted(present)
        sync.save(update_fields=["applied_users"])
    for user in sorted(present - desired.users):
        slurm.sacctmgr("delete", "user", "where", f"name={check_name(user, username=True)}",
                       f"account={desired.account}", cluster)
        present.discard(user)
        sync.applied_users = sorted(present)
        sync.save(update_fields=["applied_users"])


def grant_sync(*, grant_id: int, actor=None) -> GrantSync | None:
    """Bring one grant's Slurm account in line with the grant; None when it has no place on a cluster.

    Not one transaction: each step is recorded as soon as Slurm has accepted it.
    """
    grant = Grant.objects.select_related("request", "call__resource").prefetch_related("request__members") \
        .get(pk=grant_id)
    resource = grant.call.resource
    if not resource.slurm_cluster or grant.request.status not in ON_CLUSTER:
        return None
    desired = _desired(grant, resource, _usernames(resource))
    sync, _created = GrantSync.objects.get_or_create(grant=grant, defaults={"account": desired.account})
    sync.attempts += 1
    sync.last_attempt_at = timezone.now()
    sync.save(update_fields=["attempts", "last_attempt_at"])
    slurm = Slurm(resource, purpose="provision", actor=actor, grant=grant)
    try:
        _converge(slurm, desired, sync, slurm.associations(accounts=[desired.parent, desired.account]))
    except SchedulerError as error:
        sync.status, sync.message = GrantSync.Status.ERROR, str(error)
        sync.save(update_fields=["status", "message"])
        raise
    sync.status, sync.message, sync.last_synced_at = GrantSync.Status.SYNCED, "", timezone.now()
    sync.save(update_fields=["status", "message", "last_synced_at"])
    return sync


# --- Usage measured by the scheduler --------------------------------------------------------------


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:  # "Unknown", "None": not started, or still running
        return None


def _measured(jobs: list[dict], *, accounts: dict[str, int], tres: str, days: list[date]) -> dict:
    """{(grant_id, day): (TRES-seconds, job ids)} for the part of each job that fell inside each UTC day."""
    now = timezone.now()
    totals = defaultdict(lambda: [Decimal(0), set()])
    for job in jobs:
        grant_id = accounts.get(job.get("account", "").lower())
        begin = _moment(job.get("start", ""))
        if grant_id is None or begin is None:
            continue
        finish = _moment(job.get("end", "")) or now
        count = tres_count(job.get("tres", ""), tres)
        for day in days:
            day_start = datetime.combine(day, time(), tzinfo=UTC)
            overlap = (min(finish, day_start + timedelta(days=1)) - max(begin, day_start)).total_seconds()
            if overlap > 0 and count:
                total = totals[grant_id, day]
                total[0] += Decimal(int(overlap)) * count
                total[1].add(job["job"])
    return totals


@transaction.atomic
def _store_measured(*, resource: Resource, totals: dict, grant_ids: list[int], days: list[date]) -> int:
    lock_grants(grant_ids)
    existing = {(r.grant_id, r.period_start): r for r in UsageRecord.objects.filter(
        grant_id__in=grant_ids, period_start__in=days, period_end__in=days)
        if r.period_start == r.period_end}
    written, changed_grants = 0, set()
    for grant_id in grant_ids:
        for day in days:
            seconds, jobs = totals.get((grant_id, day), (Decimal(0), set()))
            record = existing.get((grant_id, day))
            if record is None and not jobs:
                continue
            values = {
                "units": (seconds / HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                "jobs": len(jobs), "source": UsageRecord.Source.SCHEDULER,
                "tres_minutes": {resource.slurm_tres: float((seconds / 60).quantize(Decimal("0.01")))},
            }
            if record is not None and all(getattr(record, k) == v for k, v in values.items()):
                continue  # re-reading an unchanged day writes nothing
            UsageRecord.objects.update_or_create(grant_id=grant_id, period_start=day, period_end=day,
                                                 defaults={**values, "reported_by": None})
            written += 1
            changed_grants.add(grant_id)
    usage_recorded(changed_grants)
    return written


def usage_import_from_scheduler(*, resource_id: int, days: list[date] | None = None, actor=None) -> int:
    """Read per-account, per-day usage from slurmdbd into measured usage records; the number written.

    Re-reading a day replaces its figures, so a correction upstream is corrected here, and an
    unchanged day is not written at all.
    """
    resource = Resource.objects.get(pk=resource_id)
    if actor is not None and not permissions.can_report_usage(actor, resource):
        raise NotAllowed(_("You are not an operator of this resource."))
    if not resource.slurm_cluster:
        raise Conflict(_("This resource is not connected to a Slurm cluster."))
    today = timezone.now().astimezone(UTC).date()
    days = sorted(set(days or [today - timedelta(days=n) for n in range(settings.COMPUTE_SLURM_IMPORT_DAYS)]))
    accounts = dict(GrantSync.objects.filter(grant__call__resource=resource).values_list("account", "grant_id"))
    written = 0
    if accounts:
        slurm = Slurm(resource, purpose="import", actor=actor)
        try:
            jobs = slurm.jobs(accounts=sorted(accounts), start=f"{days[0]}T00:00:00",
                              end=f"{days[-1] + timedelta(days=1)}T00:00:00")
        except SchedulerError as error:
            resource.slurm_usage_error = str(error)
            resource.save(update_fields=["slurm_usage_error"])
            raise
        totals = _measured(jobs, accounts=accounts, tres=resource.slurm_tres, days=days)
        written = _store_measured(resource=resource, totals=totals, grant_ids=sorted(accounts.values()), days=days)
    resource.slurm_usage_imported_at, resource.slurm_usage_error = timezone.now(), ""
    resource.save(update_fields=["slurm_usage_imported_at", "slurm_usage_error"])
    return written



# --- Members' cluster usernames and suspension -----------------------------------------------------


def _grants_of(user_id: int, resource: Resource) -> list[int]:
    return list(Grant.objects.filter(call__resource=resource, request__status__in=ON_CLUSTER)
                .filter(Q(request__applicant_id=user_id) | Q(request__members__user_id=user_id))
                .distinct().values_list("pk", flat=True))


@transaction.atomic
def cluster_username_declare(*, actor, resource: Resource, username: str) -> ClusterUsername:
    """A member says which login they have on the resource's cluster; an operator confirms it."""
    username = username.strip()
    if not resource.slurm_cluster:
        raise Conflict(_("This resource is not connected to a Slurm cluster."))
    if not USERNAME.match(username):
        raise InvalidInput(errors={"username": [_("A login name: lower-case letters, digits, “.”, “-” and “_”.")]})
    if ClusterUsername.objects.filter(resource=resource, username=username).exclude(user=actor).exists():
        raise InvalidInput(errors={"username": [_("Another member has declared this username.")]})
    entry = ClusterUsername.objects.select_for_update().filter(resource=resource, user=actor).first()
    if entry is not None and entry.username == username:
        return entry
    was_confirmed = entry is not None and entry.confirmed_at is not None
    entry = entry or ClusterUsername(resource=resource, user=actor)
    # A new name is unconfirmed again: the old one's associations go at the next sync.
    entry.username, entry.confirmed_at, entry.confirmed_by = username, None, None
    entry.save()
    if was_confirmed:
        grants_sync_enqueue(_grants_of(actor.pk, resource))
    return entry


@transaction.atomic
def cluster_username_confirm(*, actor, entry: ClusterUsername) -> ClusterUsername:
    """An operator vouches that the login belongs to the member: their grants get associations."""
    entry = ClusterUsername.objects.select_for_update().select_related("resource").get(pk=entry.pk)
    if not permissions.can_report_usage(actor, entry.resource):
        raise NotAllowed(_("You are not an operator of this resource."))
    if entry.confirmed_at is None:
        entry.confirmed_at, entry.confirmed_by = timezone.now(), actor
        entry.save(update_fields=["confirmed_at", "confirmed_by"])
        grants_sync_enqueue(_grants_of(entry.user_id, entry.resource))
    return entry


@transaction.atomic
def grant_suspend(*, actor, grant: Grant, suspended: bool) -> Grant:
    """Put a grant on hold (no new jobs on the cluster) or lift the hold; its managers decide."""
    grant = Grant.objects.select_for_update().select_related("call").get(pk=grant.pk)
    if not permissions.is_call_manager(actor, grant.call):
        raise NotAllowed(_("Only the call's managers can suspend its grants."))
    if (grant.suspended_at is not None) != suspended:
        grant.suspended_at = timezone.now() if suspended else None
        grant.save(update_fields=["suspended_at"])
        grants_sync_enqueue([grant.pk])
    return grant


# --- Drift: the platform's grants against Slurm's accounts ---------------------------------------


def _differences(resource: Resource, rows: list[Association]) -> list[dict]:
    usernames = _usernames(resource)
    desired = {d.account: d for d in (_desired(g, resource, usernames) for g in _grants(resource))}
    accounts = {r.account: r for r in rows if not r.user}
    users = defaultdict(set)
    for row in rows:
        if row.user:
            users[row.account].add(row.user)
    found = []

    def add(account, kind, detail):
        found.append({"account": account, "kind": kind, "detail": detail})

    for name, want in desired.items():
        row = accounts.get(name)
        if row is None:
            add(name, "missing", _("The account does not exist in Slurm."))
            continue
        have = row.grp_tres_mins.get(want.tres)
        if have != want.limit:
            add(name, "limit", _("GrpTRESMins %(tres)s is %(have)s in Slurm, %(want)s granted.")
                % {"tres": want.tres, "have": have if have is not None else _("unlimited"), "want": want.limit})
        if _is_blocked(row) != want.blocked:
            add(name, "blocked", _("New jobs should be refused.") if want.blocked
                else _("New jobs are refused, but the grant is running."))
        for user in sorted(want.users - users[name]):
            add(name, "missing_user", _("%s has no association.") % user)
        for user in sorted(users[name] - want.users):
            add(name, "extra_user", _("%s has an association but is not a confirmed member.") % user)
    # Accounts under this resource's call parents that no grant explains (another resource may share
    # the cluster, so only the parents of this resource's calls are ours to look under).
    parents = {call_account(pk) for pk in resource.calls.values_list("pk", flat=True)}
    for name, row in sorted(accounts.items()):
        if row.parent in parents and name not in desired:
            add(name, "extra", _("The account is in Slurm, but no running or ended grant has it."))
    return found


def scheduler_check(*, resource_id: int, actor=None, notify_operators: bool = False) -> list[dict]:
    """Compare the resource's grants with Slurm's accounts and associations; the differences found."""
    resource = Resource.objects.get(pk=resource_id)
    if actor is not None and not permissions.can_report_usage(actor, resource):
        raise NotAllowed(_("You are not an operator of this resource."))
    if not resource.slurm_cluster:
        raise Conflict(_("This resource is not connected to a Slurm cluster."))
    differences = _differences(resource, Slurm(resource, purpose="check", actor=actor).associations())
    resource.slurm_differences, resource.slurm_checked_at = differences, timezone.now()
    resource.save(update_fields=["slurm_differences", "slurm_checked_at"])
    if differences and notify_operators:
        notify(recipients=list(resource.operators.all()), kind="compute.scheduler_drift",
               title=lambda: _("%(count)s differences between the grants and Slurm on %(resource)s") % {
                   "count": len(differences), "resource": resource.name},
               body="\n".join(f"{d['account']}: {d['detail']}" for d in differences),
               url=reverse("compute:resource-scheduler", args=[resource.slug]))
    return differences


def scheduler_fix(*, resource_id: int, actor) -> list[dict]:
    """Sync every grant with a difference, then check again; accounts no grant explains are left alone."""
    differences = scheduler_check(resource_id=resource_id, actor=actor)
    accounts = {d["account"] for d in differences if d["kind"] != "extra"}
    known = [g.pk for g in _grants(Resource.objects.get(pk=resource_id)) if grant_account(g.pk) in accounts]
    errors = []
    for grant_id in known:
        try:
            grant_sync(grant_id=grant_id, actor=actor)
        except SchedulerError as error:
            errors.append(str(error))
    if errors:
        raise SchedulerError("; ".join(errors))
    return scheduler_check(resource_id=resource_id, actor=actor)
