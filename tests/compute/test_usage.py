import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.compute.models import AllocationRequest, Grant, UsageRecord
from apps.compute.services import decisions, requests, usage
from apps.core.errors import InvalidInput, NotAllowed
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, make_call, make_operator, make_request, manager_of

pytestmark = pytest.mark.django_db


def report(operator, allocation, units, start=None, end=None):
    """One period inside the grant: by default its first ten days."""
    start = start or Grant.objects.get(request=allocation).start_date
    return usage.usage_report(actor=operator, request_id=allocation.pk, period_start=start,
                              period_end=end or start + timedelta(days=9), units=Decimal(units))


def test_usage_thresholds_notify_once_at_50_80_and_100_and_overruns_are_kept():
    call = make_call()
    allocation, grant = approved_request(call=call, units="100")
    operator = make_operator(call.resource)
    manager = manager_of(call)
    kinds = lambda who: Notification.objects.filter(recipient=who, kind="compute.usage_threshold")  # noqa: E731
    report(operator, allocation, "40")
    assert not kinds(allocation.applicant).exists()
    D = grant.start_date
    report(operator, allocation, "15", start=D + timedelta(days=10))  # 55 %
    assert kinds(allocation.applicant).count() == 1 and kinds(manager).count() == 1
    report(operator, allocation, "30", start=D + timedelta(days=20))
    assert kinds(allocation.applicant).count() == 2 and kinds(manager).count() == 2
    assert "85 %" in kinds(allocation.applicant).order_by("-pk").first().title  # the suite runs in Spanish
    report(operator, allocation, "5", start=D + timedelta(days=40))  # 90 %: nothing new
    assert kinds(allocation.applicant).count() == 2
    report(operator, allocation, "30", start=D + timedelta(days=60))  # 120 %: overrun
    assert kinds(allocation.applicant).count() == 3
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
    s, e = grant.start_date, grant.end_date
    day = lambda n: (s + timedelta(days=n)).isoformat()  # noqa: E731
    content = (
        "request_id,period_start,period_end,units\n"
        f"{allocation.pk},{day(0)},{day(9)},40\n"
        f"{allocation.pk},{day(20)},{day(10)},10\n"
        f"abc,{day(0)},{day(9)},1\n"
        f"{pending.pk},{day(0)},{day(9)},5\n"
        f"{allocation.pk},{day(10)},{day(19)},-2\n"
        f"{allocation.pk},01/04/2026,{day(9)},3\n"
        f"{allocation.pk},{day(0)},{day(9)},40\n"
        "1,2\n"
        f"{allocation.pk},{day(-40)},{day(-31)},1\n"              # line 10: before the grant
        f"{allocation.pk},{e.isoformat()},{e + timedelta(days=30)},1\n"  # line 11: after it
        f"{allocation.pk},{day(-3)},{day(-1)},1\n"                 # within the grace: fine
        f"{allocation.pk},{day(30)},{day(39)},1e20\n"              # line 13: more than the column holds
        f"{allocation.pk},{day(40)},{day(49)},1.005\n"             # line 14: three decimals
    )
    with pytest.raises(InvalidInput) as error:
        usage.usage_import_csv(actor=operator, content=content)
    assert sorted(error.value.errors) == sorted(f"line {n}" for n in [*range(3, 12), 13, 14])
    assert str(s) in error.value.errors["line 10"][0] and str(e) in error.value.errors["line 11"][0]
    assert "line 2" not in error.value.errors
    assert not UsageRecord.objects.exists()
    records = usage.usage_import_csv(
        actor=operator,
        content=f"{allocation.pk},{day(0)},{day(9)},40\n{allocation.pk},{day(10)},{day(19)},45\n")
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
    assert run_grant_calendar.run() == {"started": 0, "expired": 0, "reminded": 1, "reviewers_reminded": 0}
    assert run_grant_calendar.run() == {"started": 0, "expired": 0, "reminded": 0, "reviewers_reminded": 0}


def test_usage_outside_the_grant_period_is_refused_per_field(settings):
    settings.COMPUTE_USAGE_GRACE_DAYS = 7
    call = make_call()
    allocation, grant = approved_request(call=call, units="100")
    operator = make_operator(call.resource)
    with pytest.raises(InvalidInput) as error:
        report(operator, allocation, "1", start=date(2020, 1, 1), end=date(2020, 1, 31))
    assert list(error.value.errors) == ["period_start"]
    with pytest.raises(InvalidInput) as error:
        report(operator, allocation, "1", start=grant.start_date, end=grant.end_date + timedelta(days=8))
    assert list(error.value.errors) == ["period_end"]
    with pytest.raises(InvalidInput) as error:
        report(operator, allocation, "1", start=grant.start_date - timedelta(days=8),
               end=grant.end_date + timedelta(days=8))
    assert sorted(error.value.errors) == ["period_end", "period_start"]
    # A week either side is accepted: jobs are sometimes accounted late.
    report(operator, allocation, "1", start=grant.start_date - timedelta(days=7),
           end=grant.end_date + timedelta(days=7))
    assert UsageRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["api", "csv"])
def test_two_simultaneous_first_reports_for_one_period_both_succeed(path):
    """Two operators' reports of the same new period, each on its own connection: one row, no error."""
    call = make_call()
    allocation, grant = approved_request(call=call, units="100")
    operators = [make_operator(call.resource), make_operator(call.resource)]
    start, end = grant.start_date, grant.start_date + timedelta(days=9)
    barrier = threading.Barrier(2)
    outcomes = []

    def send(operator, units):
        try:
            barrier.wait(timeout=10)
            if path == "api":
                report(operator, allocation, units, start=start, end=end)
            else:
                usage.usage_import_csv(actor=operator, content=f"{allocation.pk},{start},{end},{units}\n")
            outcomes.append("ok")
        except Exception as error:  # noqa: BLE001 — the test reports whatever went wrong
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(op, units)) for op, units in zip(operators, ("85", "90"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["ok", "ok"]
    record = UsageRecord.objects.get(grant=grant)
    assert record.units in (Decimal("85"), Decimal("90"))
    # The 80 % threshold was announced once, not once per report.
    assert Notification.objects.filter(recipient=allocation.applicant, kind="compute.usage_threshold").count() == 1


def test_each_write_path_keeps_the_grants_sums_equal_to_their_records():
    """Ledgers read a grant's used and measured units instead of its records: after a
    report, a correction, a CSV import and the scheduler's measurements, they are the sums."""
    from apps.compute.services.scheduler import _store_measured

    call = make_call()
    allocation, grant = approved_request(call=call, units="100")
    operator = make_operator(call.resource)

    def sums():
        grant.refresh_from_db()
        records = UsageRecord.objects.filter(grant=grant)
        measured = records.filter(source=UsageRecord.Source.SCHEDULER)
        assert (grant.units_used, grant.units_measured) == (
            usage.grant_used(grant.pk), sum((r.units for r in measured), Decimal("0")))
        return grant.units_used, grant.units_measured

    report(operator, allocation, "10")
    assert sums() == (Decimal("10"), Decimal("0"))
    report(operator, allocation, "7")  # the same period reported again replaces it
    assert sums() == (Decimal("7"), Decimal("0"))
    start = grant.start_date
    usage.usage_import_csv(actor=operator, content=f"{allocation.pk},{start + timedelta(days=10)},"
                                                    f"{start + timedelta(days=19)},3.5\n")
    assert sums() == (Decimal("10.5"), Decimal("0"))
    day = start + timedelta(days=30)
    _store_measured(resource=call.resource, totals={(grant.pk, day): (Decimal(7200), {"1"})},
                    grant_ids=[grant.pk], days=[day])
    assert sums() == (Decimal("12.5"), Decimal("2"))
    _store_measured(resource=call.resource, totals={(grant.pk, day): (Decimal(3600), {"1"})},
                    grant_ids=[grant.pk], days=[day])  # the scheduler measured the day again
    assert sums() == (Decimal("11.5"), Decimal("1"))
