"""Compute's share of "My community": open requests with their usage, reviews to do, their deadlines."""

from django.utils.translation import gettext as _

from apps.compute.models import AllocationRequest, ReviewerAssignment
from apps.compute.selectors import my_requests
from apps.core.my_community import Deadline, MyCommunityPart

OPEN_REQUESTS = [AllocationRequest.Status.DRAFT, AllocationRequest.Status.CHANGES_REQUESTED,
                 AllocationRequest.Status.SUBMITTED, AllocationRequest.Status.UNDER_REVIEW,
                 AllocationRequest.Status.APPROVED, AllocationRequest.Status.ACTIVE]


def compute_part(*, user, now, horizon) -> MyCommunityPart:
    requests = list(my_requests(user=user).filter(status__in=OPEN_REQUESTS).order_by("-created_at")[:10])
    reviews = list(
        ReviewerAssignment.objects.filter(reviewer=user, status=ReviewerAssignment.Status.ASSIGNED,
                                          request__status__in=[AllocationRequest.Status.SUBMITTED,
                                                               AllocationRequest.Status.UNDER_REVIEW])
        .select_related("request__call").order_by("request__call__review_deadline")
    )
    deadlines = [
        Deadline(assignment.request.call.review_deadline, _("Review deadline"), assignment.request.title,
                 f"/compute/reviews/{assignment.pk}/")
        for assignment in reviews
    ]
    for request in requests:
        grant = getattr(request, "grant", None)
        if grant is not None and now.date() <= grant.end_date <= horizon.date():
            deadlines.append(Deadline(grant.end_date, _("Grant ends"), request.title, f"/compute/requests/{request.pk}/"))
        request.used_percent = int(request.used * 100 / grant.units) if grant is not None and grant.units else None
    changes_asked = sum(1 for request in requests if request.status == AllocationRequest.Status.CHANGES_REQUESTED)
    return MyCommunityPart({"requests": requests, "reviews": reviews}, deadlines, to_do=len(reviews) + changes_asked)
