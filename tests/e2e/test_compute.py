"""A researcher applies, a manager assigns a reviewer, the reviewer scores, the manager approves,
the operator reports usage through the API, and the public ledger shows the new totals.

People get around by clicking (header menu, the compute section's links), in a desktop and in a
phone window; every screenshot fails the test if the page is wider than its window."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from apps.compute.models import Grant
from tests.accounts.factories import UserFactory, api_token_key
from tests.compute.factories import make_call, make_operator
from tests.e2e.conftest import WINDOWS, open_section, shoot

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_compute(page, link):
    """The header's Compute section, then one of its links (a call, My requests, Public ledger…)."""
    open_section(page, "Cómputo")
    page.locator("main").get_by_role("link", name=link, exact=True).first.click()


@pytest.mark.parametrize("window", WINDOWS)
def test_request_review_approval_usage_and_public_ledger(window, page, log_in_as):
    page.set_viewport_size(WINDOWS[window])
    call = make_call(budget="1000", per_request_max="500", title="Modelos abiertos 2026")
    manager, reviewer = call.managers.first(), call.reviewers.first()
    operator = make_operator(call.resource)
    researcher = UserFactory()

    # The researcher finds the call and submits a request.
    applicant = log_in_as(researcher, window)
    open_compute(applicant, "Modelos abiertos 2026")
    applicant.locator(f'a[href="/compute/calls/{call.slug}/apply/"]').click()
    applicant.locator("#id_title").fill("Whisper para gallego")
    applicant.locator("#id_applicant_affiliation").fill("Universidade de Vigo")
    applicant.locator("#id_abstract").fill("Reconocimiento de voz abierto para gallego.")
    applicant.locator("#id_justification").fill("4 GPU durante un mes.")
    applicant.locator("#id_requested_units").fill("300")
    applicant.locator("#id_desired_start").fill("2026-01-01")
    applicant.locator("#id_duration_days").fill("90")
    applicant.locator("#id_outputs").fill("model, uvigo/whisper-gl, apache-2.0")
    applicant.locator("#id_file").set_input_files(
        files=[{"name": "anexo-tecnico.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    shoot(applicant, f"compute-01-request-form-{window}")
    applicant.locator('button[name="submit"]').click()
    expect(applicant.locator(".status").first).to_have_attribute("class", re.compile("status-submitted"))
    expect(applicant.get_by_role("link", name="anexo-tecnico.pdf")).to_be_visible()
    request_url = applicant.url
    request_id = int(re.search(r"/requests/(\d+)/", request_url).group(1))

    # The manager assigns a reviewer from the call dashboard.
    managing = log_in_as(manager, window)
    open_compute(managing, "Modelos abiertos 2026")
    managing.get_by_role("link", name="Gestionar esta convocatoria").click()
    row = managing.locator(f'tr[data-request="{request_id}"]')
    row.locator("select[name=reviewer]").select_option(str(reviewer.pk))
    row.locator("form[action$='/assign/'] button").click()
    expect(managing.locator(f'tr[data-request="{request_id}"]')).to_contain_text(str(reviewer))

    # The reviewer scores every criterion and recommends approval.
    reviewing = log_in_as(reviewer, window)
    open_compute(reviewing, "Mis revisiones")
    reviewing.get_by_role("link", name="Whisper para gallego").click()
    # The reviewer can read the applicant's PDF (named without the applicant's identity).
    annex = reviewing.locator("main a[href*='/attachments/']")
    expect(annex).to_have_count(1)
    assert reviewing.request.get(annex.get_attribute("href")).body() == PDF
    for field in reviewing.locator("input[name^=criterion_]").all():
        field.fill("8")
    reviewing.locator("#id_recommendation").select_option("approve")
    reviewing.locator("#id_comment").fill("Plan claro y salidas abiertas.")
    reviewing.locator("form.card button[type=submit]").first.click()
    expect(reviewing.locator(".messages")).to_be_visible()
    shoot(reviewing, f"compute-02-review-{window}")

    # The manager approves fewer units than requested.
    managing.reload()
    row = managing.locator(f'tr[data-request="{request_id}"]')
    expect(row).to_contain_text("8,00")  # Spanish number format
    row.locator("select[name=action]").select_option("approve")
    row.locator("input[name=units]").fill("250")
    row.locator("textarea[name=note]").fill("Aprobado con 250 horas.")
    decide = row.locator("form[action$='/decide/confirm/'] button")
    box = decide.bounding_box()  # on a phone the table reflows: the decision is on screen, not scrolled away
    assert box["x"] + box["width"] <= WINDOWS[window]["width"], "the decision is cut off"
    decide.click()
    expect(managing.locator("[data-reviews-in]")).to_contain_text("1")  # the confirmation counts the reviews in
    managing.get_by_role("button", name="Confirmar la decisión").click()
    expect(managing.locator("[data-remaining]")).to_have_text("750")
    shoot(managing, f"compute-03-manager-dashboard-{window}")

    # The operator reports usage with an API token.
    token = api_token_key(operator)
    start = Grant.objects.get(request_id=request_id).start_date
    response = page.request.post("/api/compute/usage/", headers={"Authorization": f"Token {token}"}, data={
        "request_id": request_id, "period_start": start.isoformat(),
        "period_end": (start + timedelta(days=29)).isoformat(), "units": "210",
    })
    assert response.status == 201, response.text()

    # The applicant sees used/remaining; the public ledger shows the new totals without logging in.
    open_compute(applicant, "Mis solicitudes")
    applicant.get_by_role("link", name="Whisper para gallego").click()
    assert applicant.url == request_url
    expect(applicant.locator("[data-used]")).to_have_text("210")
    shoot(applicant, f"compute-04-request-timeline-{window}")
    page.goto("/")
    open_compute(page, "Registro público")
    ledger = page.locator(f'tr[data-ledger="{call.slug}"]')
    expect(ledger.locator("[data-granted]")).to_have_text("250")
    expect(ledger.locator("[data-used]")).to_have_text("210")
    expect(page.locator("svg").first).to_be_visible()
    shoot(page, f"compute-05-public-ledger-{window}")

