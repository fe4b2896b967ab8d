"""Review: reviewer assignment with conflict-of-interest checks, scoring and recommendations."""

import re
import unicodedata
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compute import permissions
from apps.compute.models import AllocationRequest, Call, ReviewerAssignment, ReviewerProfile, Score
from apps.compute.services.csv_lines import csv_lines
from apps.compute.services.lifecycle import transition
from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.notifications.services import notify

Status = AllocationRequest.Status
REVIEWABLE = {Status.SUBMITTED, Status.UNDER_REVIEW}
REVIEW_REMINDER_DAYS = 3
# Words that differ between spellings of the same institution and say nothing about it.
_NOISE = {"the", "of", "de", "del", "la", "el", "los", "las", "y", "and", "i", "d", "l"}


def normalise_affiliation(text: str) -> str:
    """“Universidad de Granada (UGR)” and “universidad  granada” compare equal; accents ignored."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"\(.*?\)", " ", text)
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _NOISE]
    return " ".join(words)


@transaction.atomic
def reviewer_profile_set(*, user, affiliation: str) -> ReviewerProfile:
    profile, _created = ReviewerProfile.objects.update_or_create(
        user=user, defaults={"affiliation": affiliation.strip()}
    )
    return profile


def conflicts_of_interest(*, reviewer, request: AllocationRequest) -> list[str]:
    """Why this reviewer may not assess this request (empty when there is no conflict)."""
    reasons = []
    members = list(request.members.select_related("user"))
    if reviewer.pk == request.applicant_id or any(m.user_id == reviewer.pk for m in members):
        reasons.append(_("the reviewer is part of the request"))
    profile = ReviewerProfile.objects.filter(user=reviewer).first()
    mine = normalise_affiliation(profile.affiliation if profile else "")
    if mine:
        theirs = [request.applicant_affiliation] + [m.affiliation for m in members]
        if any(normalise_affiliation(a) == mine for a in theirs if a):
            reasons.append(_("the reviewer shares an affiliation with the applicant or a collaborator"))
    if request.assignments.filter(reviewer=reviewer, status=ReviewerAssignment.Status.CONFLICT).exists():
        reasons.append(_("the reviewer declared a conflict of interest"))
    return reasons


@transaction.atomic
def reviewer_assign(*, actor, request: AllocationRequest, reviewer) -> ReviewerAssignment:
    """A manager assigns a panel reviewer who has no conflict of interest."""
    call = request.call
    if not permissions.is_call_manager(actor, call):
        raise NotAllowed(_("Only the call's managers can assign reviewers."))
    if not call.reviewers.filter(pk=reviewer.pk).exists():
        raise InvalidInput(errors={"reviewer": [_("%s is not on this call's reviewer panel.") % reviewer]})
    if request.status not in REVIEWABLE:
        raise Conflict(_("Reviewers can only be assigned to submitted requests."))
    reasons = conflicts_of_interest(reviewer=reviewer, request=request)
    if reasons:
        raise Conflict(
            _("%(reviewer)s cannot review this request: %(reasons)s.")
            % {"reviewer": reviewer, "reasons": "; ".join(reasons)},
            errors={"reviewer": [_("Conflict of interest: %s.") % "; ".join(reasons)]},
        )
    if request.assignments.filter(reviewer=reviewer).exists():
        raise Conflict(_("%s is already assigned to this request.") % reviewer)
    assignment = ReviewerAssignment.objects.create(request=request, reviewer=reviewer, assigned_by=actor)
    if request.status == Status.SUBMITTED:
        transition(request=request, to=Status.UNDER_REVIEW, actor=actor, note=_("Review started."))
    notify(
        recipients=[reviewer], kind="compute.review_assigned",
        title=lambda: _("You have a compute request to review in “%s”") % call.title,
        body=lambda: _("Please submit your review before %s.") % timezone.localtime(call.review_deadline).date(),
        url=reverse("compute:review", args=[assignment.pk]),
    )
    return assignment


@transaction.atomic
def reviewers_assign_csv(*, actor, call: Call, content: str) -> list[ReviewerAssignment]:
    """Assign from CSV lines `request_id,reviewer_email`: every line is applied, or none.

    Errors are reported per line (`{"line 3": [...]}`) so the manager can fix the file.
    """
    if not permissions.is_call_manager(actor, call):
        raise NotAllowed(_("Only the call's managers can assign reviewers."))
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    done: list[ReviewerAssignment] = []
    for number, row in csv_lines(content, header_first_cell="request_id"):
        key = f"line {number}"  # a stable key, like a field name
        if len(row) != 2:
            errors[key] = [_("Expected two columns: request_id, reviewer_email.")]
            continue
        request_id, email = row
        request = (AllocationRequest.objects.filter(call=call, pk=request_id).first()
                   if request_id.isdigit() else None)
        reviewer = User.objects.filter(email__iexact=email).first()
        if request is None:
            errors[key] = [_("No request %s in this call.") % request_id]
            continue
        if reviewer is None:
            errors[key] = [_("No member with the e-mail %s.") % email]
            continue
        try:
            with transaction.atomic():
                done.append(reviewer_assign(actor=actor, request=request, reviewer=reviewer))
        except (Conflict, InvalidInput) as error:
            errors[key] = [str(error.message)]
    if errors:
        raise InvalidInput(_("Nothing was assigned: fix the lines below and upload again."), errors=errors)
    return done


@transaction.atomic
def conflict_declare(*, actor, assignment: ReviewerAssignment, note: str = "") -> ReviewerAssignment:
    """A reviewer steps back from a request; they cannot be assigned to it again."""
    if assignment.reviewer_id != actor.pk:
        raise NotAllowed(_("Only the assigned reviewer can declare a conflict."))
    assignment.status = ReviewerAssignment.Status.CONFLICT
    assignment.conflict_note = note
    assignment.save(update_fields=["status", "conflict_note"])
    notify(
        recipients=list(assignment.request.call.managers.all()), kind="compute.review_conflict",
        title=lambda: _("A reviewer declared a conflict of interest on “%s”") % assignment.request.title,
        url=reverse("compute:call-manage", args=[assignment.request.call.slug]),
    )
    return assignment


@transaction.atomic
def review_submit(*, actor, assignment: ReviewerAssignment, scores: dict[int, int],
                  recommendation: str, comment: str = "") -> ReviewerAssignment:
    """Score every criterion (0–10) and recommend; can be revised until the decision."""
    assignment = ReviewerAssignment.objects.select_for_update().select_related("request__call").get(
        pk=assignment.pk)
    if not permissions.can_review(actor, assignment):
        raise NotAllowed(_("This review is not yours."))
    if assignment.request.status not in REVIEWABLE:
        raise Conflict(_("This request has been decided; reviews can no longer change."))
    criteria = list(assignment.request.call.criteria.all())
    errors: dict[str, list[str]] = {}
    for criterion in criteria:
        value = scores.get(criterion.pk)
        if value is None:
            errors[f"criterion_{criterion.pk}"] = [_("Score this criterion.")]
        elif not 0 <= int(value) <= 10:
            errors[f"criterion_{criterion.pk}"] = [_("Scores go from 0 to 10.")]
    extra = set(scores) - {c.pk for c in criteria}
    if extra:
        errors["scores"] = [_("Unknown criteria: %s.") % ", ".join(map(str, sorted(extra)))]
    if recommendation not in ReviewerAssignment.Recommendation.values or not recommendation:
        errors["recommendation"] = [_("Choose a recommendation.")]
    if errors:
        raise InvalidInput(errors=errors)
    for criterion in criteria:
        Score.objects.update_or_create(
            assignment=assignment, criterion=criterion, defaults={"value": int(scores[criterion.pk])}
        )
    total_weight = sum(c.weight for c in criteria)
    weighted = sum(Decimal(c.weight) * int(scores[c.pk]) for c in criteria) / total_weight
    assignment.weighted_score = weighted.quantize(Decimal("0.01"))
    assignment.recommendation, assignment.comment = recommendation, comment
    assignment.status = ReviewerAssignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["weighted_score", "recommendation", "comment", "status", "submitted_at"])
    return assignment


@transaction.atomic
def review_reminders_send(*, now=None) -> int:
    """Daily: for calls whose review deadline is within three days, one message per reviewer.

    Each message lists all that reviewer's unscored assignments in those calls. The call
    remembers that its reminder went out, so later runs send nothing more for it.
    """
    now = now or timezone.now()
    calls = list(
        Call.objects.select_for_update(skip_locked=True)
        .filter(review_reminder_sent_at__isnull=True, review_deadline__gt=now,
                review_deadline__lte=now + timedelta(days=REVIEW_REMINDER_DAYS))
        .order_by("review_deadline", "pk")
    )
    if not calls:
        return 0
    Call.objects.filter(pk__in=[c.pk for c in calls]).update(review_reminder_sent_at=now)
    pending = (
        ReviewerAssignment.objects.filter(request__call__in=calls, status=ReviewerAssignment.Status.ASSIGNED,
                                          request__status__in=REVIEWABLE, reviewer__is_active=True)
        .select_related("reviewer", "request__call")
        .order_by("request__call__review_deadline", "request__call_id", "pk")
    )
    per_reviewer: dict[int, list[ReviewerAssignment]] = {}
    for assignment in pending:
        per_reviewer.setdefault(assignment.reviewer_id, []).append(assignment)
    for items in per_reviewer.values():
        # Titles only: under blind review the applicant's name must not travel in a message.
        lines = [
            _("• “%(title)s” (%(call)s), due %(deadline)s") % {
                "title": a.request.title, "call": a.request.call.title,
                "deadline": timezone.localtime(a.request.call.review_deadline).strftime("%Y-%m-%d %H:%M"),
            }
            for a in items
        ]
        notify(
            recipients=[items[0].reviewer], kind="compute.review_reminder",
            title=lambda: (_("%d compute reviews are due soon") % len(items)) if len(items) > 1
            else _("Your review of “%s” is due soon") % items[0].request.title,
            body="\n".join(lines), url=reverse("compute:review-queue"),
        )
    return len(per_reviewer)
