import re

import pytest
from rest_framework.test import APIClient

from apps.core.errors import InvalidInput, NotAllowed
from apps.transparency import services
from apps.transparency.models import FundingRecord, FundingRecordChange
from tests.hub import factories as hub
from tests.transparency.factories import FUNDING as DATA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue(db):
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/modelo", downloads=100)])


def api(user=None):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def test_a_record_without_a_source_is_refused(auditor):
    with pytest.raises(InvalidInput) as exc:
        services.funding_record_create(actor=auditor, data={**DATA, "sources": []})
    assert "sources" in exc.value.errors
    response = api(auditor).post("/api/transparency/funding/", {**DATA, "sources": []}, format="json")
    assert response.status_code == 400
    assert any(name.split(".")[0] == "sources" for name in response.json()["errors"])
    assert not FundingRecord.objects.exists()


@pytest.mark.parametrize("bad", [
    {"sources": [{"url": "javascript:alert(1)"}]},
    {"amount_eur": "0"},
    {"amount_eur": "-5"},
    {"awarded_on": "2999-01-01"},
    {"repositories": ["lab/no-existe"]},
    {"repositories": [], "owners": [], "calls": [], "grants": []},
    {"programme": ""},
])
def test_bad_input_is_a_field_error(auditor, bad):
    response = api(auditor).post("/api/transparency/funding/", {**DATA, **bad}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"], response.json()  # a message per field, dotted for nested ones
    assert not FundingRecord.objects.exists()


def test_only_staff_and_auditors_write_and_everyone_reads(auditor, staff, member):
    assert api().post("/api/transparency/funding/", DATA, format="json").status_code in (401, 403)
    assert api(member).post("/api/transparency/funding/", DATA, format="json").status_code == 403
    with pytest.raises(NotAllowed):
        services.funding_record_create(actor=member, data=DATA)
    created = api(auditor).post("/api/transparency/funding/", DATA, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api(staff).patch(f"/api/transparency/funding/{pk}/", {"amount_eur": "1", "reason": "Errata"},
                            format="json").status_code == 200
    assert api(member).patch(f"/api/transparency/funding/{pk}/", {"amount_eur": "2"}, format="json").status_code == 403
    for reader in (None, member):
        listing = api(reader).get("/api/transparency/funding/")
        assert listing.status_code == 200
        assert listing.json()["results"][0]["repositories"] == ["model:lab/modelo"]
        assert api(reader).get(f"/api/transparency/funding/{pk}/history/").status_code == 200


def test_history_records_every_change_with_old_and_new_values(auditor, staff):
    record = services.funding_record_create(actor=auditor, data=DATA)
    services.funding_record_update(actor=staff, record_id=record.pk, reason="Cifra corregida en el BOE",
                                   data={"amount_eur": "90000", "funder": "Otro ministerio"})
    services.funding_record_update(actor=staff, record_id=record.pk, reason="Nada",
                                   data={"amount_eur": "90000"})  # no change
    changes = list(FundingRecordChange.objects.filter(record=record).order_by("created_at", "id"))
    assert [c.action for c in changes] == ["created", "updated"]
    assert changes[0].actor == auditor and changes[0].changes["amount_eur"] == ["", "120000.00"]
    assert changes[1].actor == staff
    assert changes[1].changes == {"amount_eur": ["120000.00", "90000.00"], "funder": ["Ministerio", "Otro ministerio"]}
    history = api().get(f"/api/transparency/funding/{record.pk}/history/").json()["results"]
    assert history[0]["changes"]["funder"] == ["Ministerio", "Otro ministerio"]


def test_the_page_form_shows_the_source_error_next_to_the_field(client, auditor):
    client.force_login(auditor)
    form = {**DATA, "sources": "", "repositories": "lab/modelo"}
    response = client.post("/transparency/funding/new/", form)
    assert response.status_code == 200
    assert "sources" in response.context["form"].errors
    form["sources"] = "https://example.org/boe/123 BOE"
    response = client.post("/transparency/funding/new/", form)
    record = FundingRecord.objects.get()
    assert response.status_code == 302 and response.url == f"/transparency/funding/{record.pk}/"
    assert record.sources == [{"url": "https://example.org/boe/123", "title": "BOE"}]
    page = client.get(response.url)
    assert page.status_code == 200 and b"data-history" in page.content


def test_members_cannot_open_the_funding_form(client, member):
    assert client.get("/transparency/funding/new/").status_code == 302  # to log in
    client.force_login(member)
    assert client.get("/transparency/funding/new/").status_code == 403


def test_a_correction_needs_a_reason_and_the_history_shows_it_with_labels_and_formatted_values(client, staff):
    record = services.funding_record_create(actor=staff, data=DATA)
    with pytest.raises(InvalidInput) as refused:
        services.funding_record_update(actor=staff, record_id=record.pk, data={"amount_eur": "90000"}, reason=" ")
    assert "reason" in refused.value.errors
    answer = api(staff).patch(f"/api/transparency/funding/{record.pk}/", {"amount_eur": "90000"}, format="json")
    assert answer.status_code == 400 and "reason" in answer.json()["errors"]
    services.funding_record_update(actor=staff, record_id=record.pk, reason="Cifra corregida en el BOE",
                                   data={"amount_eur": "90000", "awarded_on": "2025-02-03"})
    history = api().get(f"/api/transparency/funding/{record.pk}/history/").json()["results"]
    assert history[0]["reason"] == "Cifra corregida en el BOE"
    assert history[0]["changes"]["amount_eur"] == ["120000.00", "90000.00"]  # the API keeps raw values
    html = client.get(f"/transparency/funding/{record.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cifra corregida en el BOE" in html
    assert re.search(r"<strong>Importe \(euros\)</strong>: <del>120\D000 €</del> → <ins>90\D000 €</ins>", html)
    assert "3 feb 2025" in html and "amount_eur" not in html and "model:lab/modelo" not in html


def test_the_edit_form_asks_for_the_reason_next_to_its_field(client, staff):
    record = services.funding_record_create(actor=staff, data=DATA)
    client.force_login(staff)
    form = {**DATA, "sources": "https://example.org/boe/123 BOE", "repositories": "lab/modelo", "amount_eur": "90000"}
    response = client.post(f"/transparency/funding/{record.pk}/edit/", form)
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(f"/transparency/funding/{record.pk}/edit/", {**form, "reason": "Errata del BOE"})
    assert response.status_code == 302
    assert record.changes.order_by("-id").first().reason == "Errata del BOE"
