"""Grants on a real Slurm cluster (tests/compute/slurm_cluster.py): limits Slurm itself enforces,
usage read from its accounting, drift found and fixed, and a cluster that stops mid-sync."""

import time
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from apps.compute.models import (
    AllocationRequest,
    GrantSync,
    PendingCollaborator,
    RequestMember,
    Resource,
    SchedulerCommand,
    UsageRecord,
)
from apps.compute.selectors import public_ledger
from apps.compute.services import decisions, requests, scheduler, usage
from apps.compute.slurm import SchedulerUnavailable, Slurm, grant_account
from apps.core import tasks
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.compute import slurm_cluster
from tests.compute.factories import (
    approved_request,
    make_call,
    make_operator,
    make_resource,
    manager_of,
)
from workers.compute import check_schedulers, sync_grant_on_scheduler

# Every test that needs the cluster lives in this file: `make test` runs a file in one worker
# (--dist loadfile), and the cluster's fixed ports allow one per machine.
pytestmark = pytest.mark.django_db


def wait_for(condition, *, what: str, deadline: float = 60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"Gave up waiting for {what} after {deadline} s")


@pytest.fixture
def enqueued(monkeypatch):
    """Grant ids the services asked a worker to sync, in order."""
    sent = []

    def enqueue_now(name, grant_id):
        assert name == "workers.compute.sync_grant_on_scheduler"
        sent.append(grant_id)

    monkeypatch.setattr(tasks, "enqueue_now", enqueue_now)
    return sent


def run_enqueued(enqueued):
    """What a worker does with the enqueued syncs (the task itself, called in this process)."""
    while enqueued:
        sync_grant_on_scheduler(enqueued.pop(0))


@pytest.fixture
def resource(slurm_settings):
    slurm_settings.COMPUTE_SLURM_BACKOFF_SECONDS = 0
    slurm_settings.COMPUTE_SLURM_ATTEMPTS = 2
    return make_resource(kind=Resource.Kind.CPU, unit=Resource.Unit.CORE_HOURS,
                         slurm_cluster=slurm_cluster.CLUSTER, slurm_tres=Resource.SchedulerTres.CPU)


def confirmed_username(resource, user, username):
    entry = scheduler.cluster_username_declare(actor=user, resource=resource, username=username)
    return scheduler.cluster_username_confirm(actor=make_operator(resource), entry=entry)


def started_grant(resource, enqueued, capture, units="1", username="root"):
    """Approved to start today (so active at once), with the applicant's login confirmed."""
    with capture(execute=True):
        allocation, grant = approved_request(call=make_call(resource=resource), units=units)
    assert enqueued == [grant.pk]
    with capture(execute=True):
        confirmed_username(resource, allocation.applicant, username)
    assert enqueued == [grant.pk, grant.pk]
    run_enqueued(enqueued)
    return allocation, grant


def associations(slurm, account):
    """{user or "": (GrpTRESMins, GrpSubmitJobs)} as sacctmgr shows them."""
    out = slurm.run("sacctmgr", "-n", "-P", "show", "assoc", f"accounts={account}",
                    "format=User,GrpTRESMins,GrpSubmitJobs").stdout
    return {user: (tres, submit) for user, tres, submit in (line.split("|") for line in out.splitlines())}


def pending_reason(slurm, job_id):
    return slurm.run("squeue", "-h", "-j", job_id, "-o", "%r").stdout.strip()


def test_a_grant_from_approval_to_a_refused_job(resource, slurm, enqueued, django_capture_on_commit_callbacks):
    allocation, grant = started_grant(resource, enqueued, django_capture_on_commit_callbacks)
    account = grant_account(grant.pk)
    sync = GrantSync.objects.get(grant=grant)
    assert (sync.status, sync.applied_limit_minutes, sync.applied_users) == (GrantSync.Status.SYNCED, 60, ["root"])
    assert associations(slurm, account) == {"": ("cpu=60", ""), "root": ("", "")}

    # 60 CPUs for 31 s: 31 of the 60 CPU-minutes granted (52 %).
    slurm.run("srun", "-A", account, "-c", "60", "-t", "1", "sleep", "31", timeout=120)
    # Job records reach slurmdbd asynchronously (the hourly import reads the last days again).
    wait_for(lambda: slurm.accounted(account), what="the job in the accounting")
    # Another minute of 60 CPUs no longer fits: Slurm itself holds it back.
    job = slurm.run("sbatch", "--parsable", "--output=/dev/null", "-A", account, "-c", "60", "-t", "1",
                    "--wrap", "true").stdout.strip()
    wait_for(lambda: pending_reason(slurm, job) == "AssocGrpCPUMinutesLimit", what="the limit to hold the job")
    slurm.run("scancel", job)

    today = timezone.now().date()
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.usage_import_from_scheduler(resource_id=resource.pk, days=[today - timedelta(days=1), today])
    reported = slurm.run("sacct", "-n", "-P", "-X", "-a", f"--accounts={account}", "--state=COMPLETED",
                         "-S", str(today - timedelta(days=1)), "-E", "now", "-o", "ElapsedRaw,AllocCPUS").stdout.split()
    cpu_seconds = sum(int(e) * int(c) for e, c in (line.split("|") for line in reported))
    assert len(reported) == 1 and cpu_seconds >= 60 * 31
    expected = (Decimal(cpu_seconds) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert usage.grant_used(grant.pk) == expected
    records = UsageRecord.objects.filter(grant=grant)
    assert {r.source for r in records} == {UsageRecord.Source.SCHEDULER}
    assert sum(r.jobs for r in records) == 1
    assert sum(Decimal(str(r.tres_minutes["cpu"])) for r in records) == Decimal(cpu_seconds) / 60
    assert Notification.objects.filter(recipient=allocation.applicant, kind="compute.usage_threshold").exists()

    with django_capture_on_commit_callbacks(execute=True):
        usage.grants_start_and_expire(today=grant.end_date)
    run_enqueued(enqueued)
    allocation.refresh_from_db()
    assert allocation.status == AllocationRequest.Status.COMPLETED
    assert associations(slurm, account)[""] == ("cpu=60", "0")  # history and members kept, no new jobs
    refused = slurm.run("srun", "-A", account, "-c", "1", "-t", "1", "true", check=False)
    assert refused.returncode != 0 and "policy" in refused.stderr, refused.stderr


def test_change_requests_members_and_suspension_follow_the_grant(resource, slurm, enqueued,
                                                                 django_capture_on_commit_callbacks):
    allocation, grant = started_grant(resource, enqueued, django_capture_on_commit_callbacks, units="2")
    account = grant_account(grant.pk)
    change = decisions.change_request_create(actor=allocation.applicant, request=allocation,
                                             reason="A second training run.", extra_units=Decimal("1.5"))
    with django_capture_on_commit_callbacks(execute=True):
        decisions.change_request_decide(actor=manager_of(allocation.call), change=change, approve=True,
                                        note="Within the budget.")
    run_enqueued(enqueued)
    assert associations(slurm, account)[""] == ("cpu=210", "")

    member = UserFactory()
    confirmed_username(resource, member, "alice")
    PendingCollaborator.objects.create(request=allocation, email=member.email)
    with django_capture_on_commit_callbacks(execute=True):
        assert requests.pending_collaborators_link(user=member, email=member.email) == 1
    run_enqueued(enqueued)
    assert set(associations(slurm, account)) == {"", "root", "alice"}

    # The member changes their login: unconfirmed again, the old association goes.
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.cluster_username_declare(actor=member, resource=resource, username="alice2")
    run_enqueued(enqueued)
    assert set(associations(slurm, account)) == {"", "root"}

    with django_capture_on_commit_callbacks(execute=True):
        scheduler.grant_suspend(actor=manager_of(allocation.call), grant=grant, suspended=True)
    run_enqueued(enqueued)
    assert associations(slurm, account)[""] == ("cpu=210", "0")
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.grant_suspend(actor=manager_of(allocation.call), grant=grant, suspended=False)
    run_enqueued(enqueued)
    assert associations(slurm, account)[""] == ("cpu=210", "")

    RequestMember.objects.filter(request=allocation).delete()
    confirmed_username(resource, member, "alice2")
    scheduler.grant_sync(grant_id=grant.pk)
    assert set(associations(slurm, account)) == {"", "root"}


def test_drift_behind_the_platforms_back_is_found_and_fixed(resource, slurm, enqueued, client,
                                                            django_capture_on_commit_callbacks):
    _allocation, grant = started_grant(resource, enqueued, django_capture_on_commit_callbacks)
    account = grant_account(grant.pk)
    assert scheduler.scheduler_check(resource_id=resource.pk) == []
    slurm.run("sacctmgr", "-i", "modify", "account", "where", f"name={account}", "set", "GrpTRESMins=cpu=999")
    slurm.run("sacctmgr", "-i", "delete", "user", "where", "name=root", f"account={account}")
    operator = resource.operators.first()

    with django_capture_on_commit_callbacks(execute=True):
        assert check_schedulers() == {resource.pk: 2}  # the daily run
    assert Notification.objects.filter(recipient=operator, kind="compute.scheduler_drift").count() == 1
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("slurm_check", resource=resource.slug, stdout=out)
    assert sorted(line.split("\t")[1:3] for line in out.getvalue().splitlines()) == [
        [account, "limit"], [account, "missing_user"]]

    page = reverse("compute:resource-scheduler", args=[resource.slug])
    client.force_login(UserFactory())
    assert client.get(page).status_code == 403
    client.force_login(operator)
    assert account in client.get(page).content.decode()
    response = client.post(reverse("compute:resource-scheduler-action", args=[resource.slug, "fix"]))
    assert response.status_code == 302
    assert associations(slurm, account) == {"": ("cpu=60", ""), "root": ("", "")}
    resource.refresh_from_db()
    assert resource.slurm_differences == []
    assert SchedulerCommand.objects.filter(resource=resource, actor=operator, purpose="provision").exists()
    call_command("slurm_check", stdout=StringIO())  # no differences left: no error


def test_importing_a_day_twice_writes_nothing_and_a_correction_upstream_is_followed(
        resource, slurm, enqueued, django_capture_on_commit_callbacks):
    _allocation, grant = started_grant(resource, enqueued, django_capture_on_commit_callbacks, units="10")
    account = grant_account(grant.pk)
    job = slurm.run("sbatch", "--parsable", "--output=/dev/null", "-A", account, "-c", "100", "-t", "1",
                    "--wrap", "sleep 2").stdout.strip()
    wait_for(lambda: job in slurm.accounted(account), what="the job in the accounting")
    today = timezone.now().date()
    days = [today - timedelta(days=1), today]
    assert scheduler.usage_import_from_scheduler(resource_id=resource.pk, days=days) >= 1
    first = {r.pk: (r.units, r.updated_at) for r in UsageRecord.objects.filter(grant=grant)}
    assert scheduler.usage_import_from_scheduler(resource_id=resource.pk, days=days) == 0
    assert {r.pk: (r.units, r.updated_at) for r in UsageRecord.objects.filter(grant=grant)} == first

    # An operator corrects the job in slurmdbd: it ran 36 s longer (+1.00 core-hour on 100 CPUs).
    before = usage.grant_used(grant.pk)
    slurm.mariadb(f"UPDATE {slurm_cluster.CLUSTER}_job_table SET time_start = time_start - 36 WHERE id_job = {job}")
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.usage_import_from_scheduler(resource_id=resource.pk, days=days) >= 1
    assert usage.grant_used(grant.pk) == before + Decimal("1.00")
    # The public ledger shows the measured part apart from what operators reported.
    start = grant.start_date + timedelta(days=5)
    usage.usage_report(actor=resource.operators.first(), request_id=grant.request_id, units=Decimal("2"),
                       period_start=start, period_end=start + timedelta(days=4))
    ledger = next(row for row in public_ledger()[1] if row.slug == resource.slug)
    assert (ledger.used, ledger.measured) == (before + Decimal("3.00"), before + Decimal("1.00"))


def test_slurm_stopped_mid_sync_leaves_an_error_and_the_next_run_converges(
        resource, slurm, enqueued, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        allocation, grant = approved_request(call=make_call(resource=resource), units="1")
        confirmed_username(resource, allocation.applicant, "root")
    account = grant_account(grant.pk)
    once = Slurm._once

    def stop_after_the_account(self, args):
        result = once(self, args)
        if args[:4] == ["sacctmgr", "--immediate", "--noheader", "--parsable2"] and args[4:7] == [
                "add", "account", account]:
            slurm.stop("slurmdbd")
        return result

    monkeypatch.setattr(Slurm, "_once", stop_after_the_account)
    try:
        with pytest.raises(SchedulerUnavailable):  # the task retries it later, with backoff
            scheduler.grant_sync(grant_id=enqueued.pop())
        sync = GrantSync.objects.get(grant=grant)
        assert sync.status == GrantSync.Status.ERROR and "sacctmgr" in sync.message
        # What was applied is recorded, and nothing more: the account and its limit, no member yet.
        assert (sync.applied_limit_minutes, sync.applied_users, sync.last_synced_at) == (60, [], None)
        failed = SchedulerCommand.objects.filter(grant=grant).exclude(returncode=0)
        assert failed.count() == 2  # the first attempt and its retry
    finally:
        slurm.start_slurmdbd()
    monkeypatch.setattr(Slurm, "_once", once)
    sync = scheduler.grant_sync(grant_id=grant.pk)
    assert (sync.status, sync.message, sync.applied_users) == (GrantSync.Status.SYNCED, "", ["root"])
    assert associations(slurm, account) == {"": ("cpu=60", ""), "root": ("", "")}
