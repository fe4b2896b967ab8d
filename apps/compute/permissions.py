"""Every per-object permission check of the compute app, in one place.

Roles on a request: the applicant, collaborators (members), the call's managers,
reviewers assigned to the request (not declined), the resource's operators
(members of the compute-operators group listed on the resource) and staff.
"""

from apps.accounts import roles
from apps.compute.models import AllocationRequest, Call, ReviewerAssignment

Status = AllocationRequest.Status
EDITABLE = {Status.DRAFT, Status.CHANGES_REQUESTED}
DECIDED = {Status.APPROVED, Status.REJECTED, Status.ACTIVE, Status.COMPLETED}


def _ids(manager_or_ids) -> set[int]:
    return {u.pk for u in manager_or_ids.all()}


def can_open_call(user) -> bool:
    """Calls commit public capacity: staff open them (in the API or the admin)."""
    return user.is_authenticated and user.is_staff


def is_call_manager(user, call: Call) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_staff or user.pk in _ids(call.managers)


def is_panel_reviewer(user, call: Call) -> bool:
    return user.is_authenticated and user.pk in _ids(call.reviewers)


def is_applicant_side(user, request: AllocationRequest) -> bool:
    """The applicant or one of the collaborators."""
    if not user.is_authenticated:
        return False
    return request.applicant_id == user.pk or any(m.user_id == user.pk for m in request.members.all())


def active_assignment(user, request: AllocationRequest) -> ReviewerAssignment | None:
    if not user.is_authenticated:
        return None
    for assignment in request.assignments.all():
        if assignment.reviewer_id == user.pk and assignment.status != ReviewerAssignment.Status.CONFLICT:
            return assignment
    return None


def can_view_request(user, request: AllocationRequest) -> bool:
    """Drafts stay private to the applicant side until they are first submitted."""
    if is_applicant_side(user, request):
        return True
    if request.submitted_at is None:
        return False
    return (
        is_call_manager(user, request.call)
        or active_assignment(user, request) is not None
        or (hasattr(request, "grant") and can_report_usage(user, request.call.resource))
    )


def can_edit_request(user, request: AllocationRequest) -> bool:
    """Only the applicant edits, and only while the request is theirs to change."""
    return user.is_authenticated and request.applicant_id == user.pk and request.status in EDITABLE


def can_withdraw_request(user, request: AllocationRequest) -> bool:
    return user.is_authenticated and request.applicant_id == user.pk


def can_see_applicant_identity(user, request: AllocationRequest) -> bool:
    """Blind review hides the applicant's and collaborators' names from reviewers."""
    if not request.call.blind_review:
        return True
    return is_applicant_side(user, request) or is_call_manager(user, request.call)


def attachment_name(user, request: AllocationRequest, attachment) -> str:
    """File names often carry the author's name: blind reviewers get a neutral one."""
    if can_see_applicant_identity(user, request):
        return attachment.name
    return f"attachment-{attachment.pk}.pdf"


def can_see_other_scores(user, request: AllocationRequest) -> bool:
    """Managers always; reviewers per the call's rule, and everyone involved once decided."""
    if is_call_manager(user, request.call):
        return True
    assignment = active_assignment(user, request)
    if assignment is None:
        return False
    if request.status in DECIDED:
        return True
    visibility = request.call.score_visibility
    if visibility == Call.ScoreVisibility.ALWAYS:
        return True
    if visibility == Call.ScoreVisibility.AFTER_OWN:
        return assignment.status == ReviewerAssignment.Status.SUBMITTED
    return False


def can_review(user, assignment: ReviewerAssignment) -> bool:
    return (
        user.is_authenticated
        and assignment.reviewer_id == user.pk
        and assignment.status != ReviewerAssignment.Status.CONFLICT
    )


def can_report_usage(user, resource) -> bool:
    """The operator role, for this resource: the group plus the resource's operator list."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return roles.has_role(user, roles.COMPUTE_OPERATORS) and user.pk in _ids(resource.operators)


def can_ask_for_change(user, request: AllocationRequest) -> bool:
    return (
        user.is_authenticated
        and request.applicant_id == user.pk
        and request.status in {Status.APPROVED, Status.ACTIVE}
    )


def can_edit_call(user, call: Call) -> bool:
    """Budgets, dates, managers and the panel commit public capacity: staff only, like opening."""
    return can_open_call(user)


def can_import_usage(user) -> bool:
    """The upload page is for operators (each line is still checked per resource) and staff."""
    return user.is_authenticated and (user.is_staff or roles.has_role(user, roles.COMPUTE_OPERATORS))
