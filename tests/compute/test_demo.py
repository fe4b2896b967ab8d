import pytest
from django.core.management import call_command

from apps.compute.models import AllocationRequest, Call, GrantSync, Resource, SchedulerCommand, UsageRecord
from apps.compute.selectors import public_ledger


@pytest.mark.django_db
def test_demo_data_has_a_closed_call_with_decisions_and_usage_and_an_open_call(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    assert Call.objects.count() == 2
    assert AllocationRequest.objects.filter(status="rejected").count() == 1
    assert UsageRecord.objects.count() == 9
    per_call, per_resource = public_ledger()
    closed = next(row for row in per_call if row.slug == "mn5-acc-2026-1")
    assert closed.acceptance_rate == 75 and closed.median_days is not None
    assert per_resource[0].granted == closed.granted
    # Bound to a cluster as demo data, with a last sync per grant and nothing run against Slurm.
    resource = Resource.objects.get(slug="mn5-acc")
    assert resource.slurm_cluster == "mn5" and resource.slurm_usage_imported_at is not None
    assert GrantSync.objects.filter(grant__call__resource=resource, last_synced_at__isnull=False).count() == 3
    assert not SchedulerCommand.objects.exists()
