"""The operators' page of a resource on a Slurm cluster, and a member declaring their login (no Slurm needed)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts import services as accounts
from apps.compute.models import ClusterUsername, GrantSync, Resource, SchedulerCommand
from apps.compute.services import requests, scheduler
from apps.compute.slurm import SchedulerError, SchedulerUnavailable, grant_account
from apps.core import tasks
from apps.core.errors import InvalidInput
from tests.accounts.factories import PASSWORD, UserFactory
from tests.compute.factories import (
    approved_request,
    make_call,
    make_operator,
    make_resource,
)

pytestmark = pytest.mark.django_db


def on_cluster_resource():
    return make_resource(kind=Resource.Kind.CPU, unit=Resource.Unit.CORE_HOURS, slurm_cluster="mn5",
                         slurm_tres=Resource.SchedulerTres.CPU)


def synced_grant(call, error=""):
    _allocation, grant = approved_request(call=call)
    GrantSync.objects.create(grant=grant, account=grant_account(grant.pk), message=error,
                             status=GrantSync.Status.ERROR if error else GrantSync.Status.SYNCED)
    SchedulerCommand.objects.create(resource=call.resource, grant=grant, purpose="provision",
                                    args=["sacctmgr", "--immediate", "show", "associations"], returncode=0)
    return grant


def test_operators_page_shows_sync_errors_and_commands_with_constant_queries(client, django_assert_num_queries):
    resource = on_cluster_resource()
    call = make_call(resource=resource)
    operator = make_operator(resource)
    synced_grant(call, error="sacctmgr failed: Connection refused")
    url = reverse("compute:resource-scheduler", args=[resource.slug])
    client.force_login(operator)
    client.get(url)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert "Connection refused" in response.content.decode()
    for _ in range(3):
        synced_grant(call)
    ClusterUsername.objects.create(resource=resource, user=UserFactory(), username="bob")
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["syncs"]) == 4 and "bob" in response.content.decode()


def test_only_operators_and_staff_open_it_and_resources_without_a_cluster_have_none(client):
    resource = on_cluster_resource()
    url = reverse("compute:resource-scheduler", args=[resource.slug])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert client.post(reverse("compute:resource-scheduler-action", args=[resource.slug, "check"])).status_code == 403
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 200
    plain = make_resource()
    assert client.get(reverse("compute:resource-scheduler", args=[plain.slug])).status_code == 404


def test_a_member_declares_a_login_an_operator_confirms_it_and_bad_names_are_refused(client):
    resource = on_cluster_resource()
    allocation, _grant = approved_request(call=make_call(resource=resource))
    client.force_login(allocation.applicant)
    url = reverse("compute:cluster-username", args=[allocation.pk])
    for bad in ("Root", "-rf", "a b", "x;rm", "é", "a" * 33):
        client.post(url, {"username": bad})
        assert not ClusterUsername.objects.exists(), bad
    client.post(url, {"username": "ana.garcia"})
    entry = ClusterUsername.objects.get(user=allocation.applicant)
    assert entry.username == "ana.garcia" and entry.confirmed_at is None
    other = UserFactory()
    with pytest.raises(InvalidInput) as taken:
        scheduler.cluster_username_declare(actor=other, resource=resource, username="ana.garcia")
    assert "username" in taken.value.errors
    client.force_login(make_operator(resource))
    client.post(reverse("compute:resource-scheduler-action", args=[resource.slug, "confirm"]),
                {"username": entry.pk})
    entry.refresh_from_db()
    assert entry.confirmed_at is not None


def test_a_resource_on_a_cluster_needs_valid_names_and_a_tres():
    for overrides in ({"slurm_cluster": "mn5"}, {"slurm_cluster": "MN5; reboot", "slurm_tres": "cpu"},
                      {"slurm_cluster": "mn5", "slurm_tres": "cpu", "slurm_partition": "--all"}):
        with pytest.raises(InvalidInput):
            make_resource(**overrides)


def test_without_the_slurm_tools_the_grant_shows_the_error_and_nothing_is_retried(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # e.g. the embedded demo: no sacctmgr on this host
    _allocation, grant = approved_request(call=make_call(resource=on_cluster_resource()))
    with pytest.raises(SchedulerError) as error:
        scheduler.grant_sync(grant_id=grant.pk)
    assert not isinstance(error.value, SchedulerUnavailable)  # the task does not retry it
    sync = GrantSync.objects.get(grant=grant)
    assert sync.status == GrantSync.Status.ERROR and "sacctmgr" in sync.message
    assert SchedulerCommand.objects.filter(grant=grant).count() == 1


def test_deleting_an_account_removes_the_login_and_resyncs_the_grants(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks, "enqueue_now", lambda name, grant_id: sent.append(grant_id))
    resource = on_cluster_resource()
    member = UserFactory()
    _allocation, grant = approved_request(call=make_call(resource=resource),
                                          collaborators=[requests.Collaborator(member, "UGR")])
    ClusterUsername.objects.create(resource=resource, user=member, username="ana", confirmed_at=timezone.now())
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accounts.account_delete(user=member, password=PASSWORD)
    assert not ClusterUsername.objects.exists()
    assert sent == [grant.pk]  # its Slurm account loses the login at this sync
