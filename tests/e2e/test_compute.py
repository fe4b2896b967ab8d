"""A researcher applies, a manager assigns a reviewer, the reviewer scores, the manager approves,
the operator reports usage through the API, and the public ledger shows the new totals."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from apps.compute.models import Grant
from tests.accounts.factories import UserFactory, api_token_key
from tests.compute.factories import make_call, make_operator


def test_request_review_approval_usage_and_public_ledger(browser, live_server, page, screenshot, log_in_as):
    call = make_call(budget="1000", per_request_max="500", title="Modelos abiertos 2026")
    manager, reviewer = call.managers.first(), call.reviewers.first()
    operator = make_operator(call.resource)
    researcher = UserFactory()

    # The researcher finds the call and submits a request.
    applicant = log_in_as(researcher)
    applicant.goto("/compute/")
    applicant.get_by_role("link", name="Modelos abiertos 2026").click()
    applicant.locator(f'a[href="/compute/calls/{call.slug}/apply/"]').click()
    applicant.locator("#id_title").fill("Whisper para gallego")
    applicant.locator("#id_applicant_affiliation").fill("Universidade de Vigo")
    applicant.locator("#id_abstract").fill("Reconocimiento de voz abierto para gallego.")
    applicant.locator("#id_justification").fill("4 GPU durante un mes.")
    applicant.locator("#id_requested_units").fill("300")
    applicant.locator("#id_desired_start").fill("2026-01-01")
    applicant.locator("#id_duration_days").fill("90")
    applicant.locator("#id_outputs").fill("model, uvigo/whisper-gl, apache-2.0")
    screenshot_page(applicant, "compute-01-request-form")
    applicant.locator('button[name="submit"]').click()
    expect(applicant.locator(".status").first).to_have_attribute("class", re.compile("status-submitted"))
    request_url = applicant.url
    request_id = int(re.search(r"/requests/(\d+)/", request_url).group(1))

    # The manager assigns a reviewer from the call dashboard.
    managing = log_in_as(manager)
    managing.goto(f"/compute/calls/{call.slug}/manage/")
    row = managing.locator(f'tr[data-request="{request_id}"]')
    row.locator("select[name=reviewer]").select_option(str(reviewer.pk))
    row.locator("form[action$='/assign/'] button").click()
    expect(managing.locator(f'tr[data-request="{request_id}"]')).to_contain_text(str(reviewer))

    # The reviewer scores every criterion and recommends approval.
    reviewing = log_in_as(reviewer)
    reviewing.goto("/compute/reviews/")
    reviewing.get_by_role("link", name="Whisper para gallego").click()
    for field in reviewing.locator("input[name^=criterion_]").all():
        field.fill("8")
    reviewing.locator("#id_recommendation").select_option("approve")
    reviewing.locator("#id_comment").fill("Plan claro y salidas abiertas.")
    reviewing.locator("form.card button[type=submit]").first.click()
    expect(reviewing.locator(".messages")).to_be_visible()
    screenshot_page(reviewing, "compute-02-review")

    # The manager approves fewer units than requested.
    managing.goto(f"/compute/calls/{call.slug}/manage/")
    row = managing.locator(f'tr[data-request="{request_id}"]')
    expect(row).to_contain_text("8,00")  # Spanish number format
    row.locator("select[name=action]").select_option("approve")
    row.locator("input[name=units]").fill("250")
    row.locator("textarea[name=note]").fill("Aprobado con 250 horas.")
    row.locator("form[action$='/decide/'] button").click()
    expect(managing.locator("[data-remaining]")).to_have_text("750")
    screenshot_page(managing, "compute-03-manager-dashboard")

    # The operator reports usage with an API token.
    token = api_token_key(operator)
    start = Grant.objects.get(request_id=request_id).start_date
    response = page.request.post("/api/compute/usage/", headers={"Authorization": f"Token {token}"}, data={
        "request_id": request_id, "period_start": start.isoformat(),
        "period_end": (start + timedelta(days=29)).isoformat(), "units": "210",
    })
    assert response.status == 201, response.text()

    # The applicant sees used/remaining; the public ledger shows the new totals without logging in.
    applicant.goto(request_url)
    expect(applicant.locator("[data-used]")).to_have_text("210")
    screenshot_page(applicant, "compute-04-request-timeline")
    page.goto("/compute/dashboard/")
    ledger = page.locator(f'tr[data-ledger="{call.slug}"]')
    expect(ledger.locator("[data-granted]")).to_have_text("250")
    expect(ledger.locator("[data-used]")).to_have_text("210")
    expect(page.locator("svg").first).to_be_visible()
    screenshot("compute-05-public-ledger")


def screenshot_page(page, name):
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
