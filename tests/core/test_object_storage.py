"""Uploads kept in a real S3-compatible store (SeaweedFS), shared by two server processes:
what one node stores, the other serves; private attachments only after the permission check."""

import pytest
import requests

from apps.accounts.services import api_token_create
from apps.compute.models import RequestAttachment
from tests.accounts.factories import UserFactory
from tests.asgi_server import running_asgi_server
from tests.compute.factories import make_call, make_request
from tests.object_store import PRIVATE_BUCKET, PUBLIC_BUCKET
from tests.profiles.factories import image_upload

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _token(user) -> dict[str, str]:
    return {"Authorization": f"Token {api_token_create(user=user, name='object store test')[1]}"}


@pytest.fixture
def two_nodes(object_store):
    with running_asgi_server(**object_store.settings_env()) as node_a, \
            running_asgi_server(**object_store.settings_env()) as node_b:
        yield node_a, node_b


def test_an_avatar_uploaded_through_node_a_is_public_in_the_store_and_shown_by_node_b(object_store, two_nodes):
    node_a, node_b = two_nodes
    member = UserFactory()
    auth = _token(member)
    upload = image_upload("me.png")
    stored = requests.put(f"{node_a.url}/api/me/profile/avatar/", headers=auth, timeout=20,
                          files={"avatar": ("me.png", upload.read(), "image/png")})
    assert stored.status_code == 200, stored.text

    avatar_url = requests.get(f"{node_b.url}/api/me/profile/", headers=auth, timeout=20).json()["avatar_url"]
    assert avatar_url.startswith(f"{object_store.endpoint_url}/{PUBLIC_BUCKET}/avatars/")
    image = requests.get(avatar_url, timeout=10)  # anonymous, straight from the store
    assert image.status_code == 200 and image.content.startswith(b"\xff\xd8")  # re-encoded as JPEG
    assert image.headers["Cache-Control"] == "public, max-age=86400"
    # Node B's pages may show it: the store's origin is in its Content-Security-Policy.
    page = requests.get(f"{node_b.url}/", timeout=20)
    assert object_store.endpoint_url in page.headers["Content-Security-Policy"]


def test_a_private_attachment_stored_through_node_a_is_served_by_node_b_only_to_who_may_see_it(
        object_store, two_nodes):
    node_a, node_b = two_nodes
    allocation = make_request(call=make_call(), submit=False)
    created = requests.post(
        f"{node_a.url}/api/compute/requests/{allocation.pk}/attachments/", headers=_token(allocation.applicant),
        files={"file": ("plan.pdf", PDF, "application/pdf")}, timeout=20,
    )
    assert created.status_code == 201, created.text
    attachment = RequestAttachment.objects.get(pk=created.json()["id"])
    key = attachment.file.name
    # In the private bucket, and nowhere on the nodes' disks (the object exists for the store's owner).
    assert object_store.client().get_object(Bucket=PRIVATE_BUCKET, Key=key)["Body"].read() == PDF

    download = f"/api/compute/requests/{allocation.pk}/"
    url = f"/compute/requests/{allocation.pk}/attachments/{attachment.pk}/"
    stranger = _token(UserFactory())
    for node in (node_a, node_b):
        assert requests.get(f"{node.url}{download}", headers=stranger, timeout=20).status_code == 404
    served = requests.get(f"{node_b.url}{url}", cookies=_session(allocation.applicant), timeout=20)
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["Cache-Control"] == "private, no-store"
    for node in (node_a, node_b):
        refused = requests.get(f"{node.url}{url}", cookies=_session(UserFactory()), timeout=20,
                               allow_redirects=False)
        assert refused.status_code == 404

    # The store itself refuses anyone without the keys, whatever the link.
    assert requests.get(f"{object_store.endpoint_url}/{PRIVATE_BUCKET}/{key}", timeout=10).status_code == 403
    assert requests.get(f"{object_store.endpoint_url}/{PUBLIC_BUCKET}/{key}", timeout=10).status_code == 404


def _session(user) -> dict[str, str]:
    from django.conf import settings

    from tests.chat.conftest import session_cookie

    return {settings.SESSION_COOKIE_NAME: session_cookie(user)}
