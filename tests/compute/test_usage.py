from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.compute.models import AllocationRequest, Grant, UsageRecord
from apps.compute.services import decisions, requests, usage
from apps.core.errors import InvalidInput, NotAllowed
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, make_call, make_operator, make_request, manager_of

pytestmark = pytest.mark.django_db
D = date(2026, 1, 1)


def report(operator, allocation, units, start=D, end=None):
    return usage.usage_report(actor=operator, request_id=allocation.pk, period_start=start,
                              period_end=end or start + timedelta(days=29), units=Decimal(units))


def test_usage_thresholds_notify_once_at_80_and_once_at_100_and_overruns_are_kept():
    call = make_call()
    allocation, grant = approved_request(call=call, units="100")
    operator = make_operator(call.resource)
    manager = manager_of(call)
    kinds = lambda who: Notification.objects.filter(recipient=who, kind="compute.usage_threshold")  # noqa: E731
    report(operator, allocation, "50")
    assert not kinds(allocation.applicant).exists()
    report(operator, allocation, "35", start=D + timedelta(days=30))
    assert kinds(allocation.applicant).count() == 1 and kinds(manager).count() == 1
    assert "85 %" in kinds(allocation.applicant).get().title  # the suite runs in Spanish
    report(operator, allocation, "5", start=D + timedelta(days=60))  # 90 %: nothing new
    assert kinds(allocation.applicant).count() == 1
    report(operator, allocation, "30", start=D + timedelta(days=90))  # 120 %: overrun
    assert kinds(allocation.applicant).count() == 2
    assert usage.grant_used(grant.pk) == Decimal("120")  # never capped or hidden
    grant.refresh_from_db()
    assert grant.usage_notified_percent == 100


def test_reporting_the_same_period_again_corrects_it():
    call = make_call()
    allocation, grant = approved_request(call=call, units="100")
    operator = make_operator(call.resource)
    report(operator, allocation, "10")
    report(operator, allocation, "12")
    assert UsageRecord.objects.get(grant=grant).units == Decimal("12")


def test_only_operators_of_the_resource_report_usage():
    call = make_call()
    allocation, _grant = approved_request(call=call)
    other_operator = make_operator(make_call().resource)
    for person in (allocation.applicant, manager_of(call), other_operator):
        with pytest.raises(NotAllowed):
            report(person, allocation, "1")
    in_list_without_role = UserFactory()
    call.resource.operators.add(in_list_without_role)
    with pytest.raises(NotAllowed):
        report(in_list_without_role, allocation, "1")


def test_csv_import_reports_every_bad_line_and_applies_nothing():
    call = make_call()
    allocation, grant = approved_request(call=call, units="100")
    pending = make_request(call=call)
    operator = make_operator(call.resource)
    content = (
        "request_id,period_start,period_end,units\n"
        f"{allocation.pk},2026-01-01,2026-01-31,40\n"
        f"{allocation.pk},2026-02-01,2026-01-31,10\n"
        f"abc,2026-01-01,2026-01-31,1\n"
        f"{pending.pk},2026-01-01,2026-01-31,5\n"
        f"{allocation.pk},2026-03-01,2026-03-31,-2\n"
        f"{allocation.pk},01/04/2026,2026-04-30,3\n"
        f"{allocation.pk},2026-01-01,2026-01-31,40\n"
        "1,2\n"
    )
    with pytest.raises(InvalidInput) as error:
        usage.usage_import_csv(actor=operator, content=content)
    assert sorted(error.value.errors) == sorted(f"line {n}" for n in range(3, 10))
    assert "line 2" not in error.value.errors
    assert not UsageRecord.objects.exists()
    records = usage.usage_import_csv(
        actor=operator,
        content=f"{allocation.pk},2026-01-01,2026-01-31,40\n{allocation.pk},2026-02-01,2026-02-28,45\n")
    assert len(records) == 2 and usage.grant_used(grant.pk) == Decimal("85")
    assert Notification.objects.filter(recipient=allocation.applicant, kind="compute.usage_threshold").count() == 1


def test_grants_start_expire_and_remind_once_per_person_combined():
    call = make_call(per_request_max="500")
    applicant = UserFactory()
    collaborator = UserFactory()
    today = timezone.localdate()
    first, g1 = approved_request(call=call, applicant=applicant, collaborators=[
        requests.Collaborator(collaborator, "UGR")])
    second, g2 = approved_request(call=call, applicant=applicant)
    Grant.objects.filter(pk=g1.pk).update(end_date=today + timedelta(days=30))
    Grant.objects.filter(pk=g2.pk).update(end_date=today + timedelta(days=6))
    assert usage.grant_reminders_send(today=today) == 2  # the applicant and the collaborator
    mine = Notification.objects.filter(recipient=applicant, kind="compute.grant_reminder")
    assert mine.count() == 1 and mine.get().body.count("•") == 2
    assert Notification.objects.filter(recipient=collaborator, kind="compute.grant_reminder").count() == 1
    assert usage.grant_reminders_send(today=today) == 0  # idempotent
    assert usage.grant_reminders_send(today=today + timedelta(days=23)) == 2  # 7-day reminder of g1
    assert usage.grant_reminders_send(today=today + timedelta(days=23)) == 0

    future = make_request(call=call, desired_start=today + timedelta(days=3))
    decisions.request_approve(actor=manager_of(call), request=future, units=Decimal("10"))
    future.refresh_from_db()
    assert future.status == AllocationRequest.Status.APPROVED
    result = usage.grants_start_and_expire(today=today + timedelta(days=30))
    assert result == {"started": 1, "expired": 2}
    first.refresh_from_db()
    assert first.status == AllocationRequest.Status.COMPLETED
    assert usage.grants_start_and_expire(today=today + timedelta(days=30)) == {"started": 0, "expired": 0}


def test_change_request_extends_the_grant_and_restarts_reminders():
    call = make_call()
    allocation, grant = approved_request(call=call, units="100")
    Grant.objects.filter(pk=grant.pk).update(last_reminder_days=7)
    grant.refresh_from_db()
    new_end = grant.end_date + timedelta(days=30)
    with pytest.raises(NotAllowed):
        decisions.change_request_create(actor=UserFactory(), request=allocation, reason="x",
                                        new_end_date=new_end)
    change = decisions.change_request_create(actor=allocation.applicant, request=allocation,
                                             extra_units=Decimal("50"), new_end_date=new_end, reason="Delays")
    decisions.change_request_decide(actor=manager_of(call), change=change, approve=True, note="Justified.")
    grant.refresh_from_db()
    assert (grant.units, grant.end_date, grant.last_reminder_days) == (Decimal("150"), new_end, None)
    assert Notification.objects.filter(recipient=allocation.applicant, title__contains="aprobada").count() == 2


def test_the_daily_task_runs_the_calendar_and_is_idempotent():
    from workers.compute import run_grant_calendar

    call = make_call()
    allocation, grant = approved_request(call=call)
    Grant.objects.filter(pk=grant.pk).update(end_date=timezone.localdate() + timedelta(days=1))
    assert run_grant_calendar.run() == {"started": 0, "expired": 0, "reminded": 1}
    assert run_grant_calendar.run() == {"started": 0, "expired": 0, "reminded": 0}
