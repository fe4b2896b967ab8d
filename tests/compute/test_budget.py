import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.compute.models import Grant
from apps.compute.services import decisions
from apps.core.errors import Conflict
from tests.compute.factories import approved_request, make_call, make_request, manager_of


@pytest.mark.django_db
def test_an_approval_over_budget_is_refused_saying_how_much_is_left():
    call = make_call(budget="300", per_request_max="200")
    approved_request(call=call, units="200")
    allocation = make_request(call=call, units="150")
    with pytest.raises(Conflict) as error:
        decisions.request_approve(actor=manager_of(call), request=allocation, units=Decimal("150"))
    assert " 100 " in str(error.value.message)  # written as people write it, not "100.00"
    grant = decisions.request_approve(actor=manager_of(call), request=allocation, units=Decimal("100"))
    assert grant.units == Decimal("100")


@pytest.mark.django_db
def test_change_request_extra_units_also_respect_the_budget():
    call = make_call(budget="300", per_request_max="200")
    allocation, grant = approved_request(call=call, units="200")
    change = decisions.change_request_create(actor=allocation.applicant, request=allocation,
                                             extra_units=Decimal("150"), reason="Longer training")
    with pytest.raises(Conflict):
        decisions.change_request_decide(actor=manager_of(call), change=change, approve=True, note="ok")
    denied = decisions.change_request_decide(actor=manager_of(call), change=change, approve=False,
                                             note="Only 100 left in this call.")
    assert denied.status == "denied"
    grant.refresh_from_db()
    assert grant.units == Decimal("200")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_never_exceed_the_budget():
    """Two managers approve different requests at the same moment, each on its own connection."""
    call = make_call(budget="1000", per_request_max="600")
    manager = manager_of(call)
    first, second = make_request(call=call, units="600"), make_request(call=call, units="600")
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(allocation):
        try:
            barrier.wait(timeout=10)
            decisions.request_approve(actor=manager, request=allocation, units=Decimal("600"))
            outcomes.append("approved")
        except Conflict as error:
            outcomes.append(str(error.message))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("approved") == 1
    refused = next(o for o in outcomes if o != "approved")
    assert " 400 " in refused
    assert sum(g.units for g in Grant.objects.filter(call=call)) == Decimal("600")
