"""Compute grants shown on a Hub repository's page: funded projects that promised it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.compute.models import ExpectedOutput
from apps.compute.selectors import FUNDED
from apps.core.formatting import quantity
from apps.hub.references import RepositoryReference


def grants_promising(*, kind: str, repo_id: str) -> list[RepositoryReference]:
    outputs = (
        ExpectedOutput.objects.filter(kind=kind, repo_id=repo_id, request__status__in=FUNDED)
        .select_related("request__call__resource", "request__grant")
        .order_by("request__decided_at")
    )
    ledger = reverse("compute:dashboard")
    return [
        RepositoryReference(
            section=_("Public compute grants"),
            label=_("%(project)s · %(units)s %(unit)s in %(call)s")
            % {
                "project": output.request.title,
                "units": quantity(output.request.grant.units),
                "unit": output.request.call.resource.get_unit_display(),
                "call": output.request.call.title,
            },
            url=ledger,
        )
        for output in outputs
    ]
