"""Compute and members' data rights: what account deletion does and what the export holds.

Retention rule (docs/operations.md, "Personal data"): a draft is the applicant's own and is
deleted with its files. A request that was submitted is part of the public record of how
public compute was allotted, so it stays — title, abstract, units, status, decision, grant
and usage — shown as by a deleted member; its uploaded files and the free-text
justification and data-management plan are removed, and a request still in progress is
withdrawn. Collaborator places, addresses of people listed without an account, reviewer profiles, unsubmitted reviews and panel seats go;
submitted reviews stay with the decision they supported, anonymised.
"""

from allauth.account.signals import email_confirmed
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils.translation import gettext as _

from apps.accounts import personal_data as pd
from apps.compute.models import (
    AllocationRequest,
    Call,
    ChangeRequest,
    ClusterUsername,
    Grant,
    PendingCollaborator,
    RequestAttachment,
    RequestMember,
    Resource,
    ReviewerAssignment,
    ReviewerProfile,
    SchedulerCommand,
    Transition,
    UsageRecord,
)
from apps.compute.selectors import collaborator_addresses

Status = AllocationRequest.Status
IN_PROGRESS = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.CHANGES_REQUESTED)

_RULES = [
    (Resource, "operators", pd.DELETED, "no longer operates the resource"),
    (Call, "managers", pd.DELETED, "no longer manages the call"),
    (Call, "reviewers", pd.DELETED, "leaves the review panel"),
    (ReviewerProfile, "user", pd.DELETED, "reviewer affiliation is personal"),
    (AllocationRequest, "applicant", pd.ANONYMISED, "drafts deleted; submitted requests are the public record"),
    (AllocationRequest, "staged_by", pd.ANONYMISED, "a manager's prepared decision stays"),
    (RequestMember, "user", pd.DELETED, "collaborator place removed"),
    (RequestAttachment, "uploaded_by", pd.DELETED, "files removed with the applicant's requests"),
    (Transition, "actor", pd.ANONYMISED, "history of the request"),
    (ReviewerAssignment, "reviewer", pd.ANONYMISED, "unsubmitted reviews deleted; submitted ones back a decision"),
    (ReviewerAssignment, "assigned_by", pd.ANONYMISED, "who assigned the review"),
    (Grant, "decided_by", pd.ANONYMISED, "public record of the decision"),
    (UsageRecord, "reported_by", pd.ANONYMISED, "public record of use"),
    (ChangeRequest, "requested_by", pd.ANONYMISED, "history of the grant"),
    (ChangeRequest, "decided_by", pd.ANONYMISED, "history of the grant"),
    (ClusterUsername, "user", pd.DELETED, "the member's login on a cluster; its associations go at the next sync"),
    (ClusterUsername, "confirmed_by", pd.ANONYMISED, "who confirmed a member's login"),
    (SchedulerCommand, "actor", pd.ANONYMISED, "audit log of the commands run on a cluster"),
]


def _remove_files(attachments) -> None:
    names = [(a.file.storage, a.file.name) for a in attachments if a.file]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def compute_forget(user) -> None:
    from apps.compute.services.lifecycle import grants_sync_enqueue, transition

    # Grants whose Slurm accounts may hold this member's login (read before the memberships go).
    on_clusters = list(Grant.objects.filter(Q(request__applicant=user) | Q(request__members__user=user))
                       .values_list("pk", flat=True))
    own = AllocationRequest.objects.filter(applicant=user)
    attachments = RequestAttachment.objects.filter(request__applicant=user)
    _remove_files(list(attachments))
    attachments.delete()
    own.filter(status=Status.DRAFT).delete()
    for request in own.filter(status__in=IN_PROGRESS):
        transition(request=request, to=Status.WITHDRAWN, actor=None, note=_("The applicant deleted their account."))
    own.exclude(status__in=(Status.APPROVED, Status.ACTIVE, Status.COMPLETED)).update(
        justification="", data_management=""
    )
    RequestMember.objects.filter(user=user).delete()
    ClusterUsername.objects.filter(user=user).delete()
    grants_sync_enqueue(on_clusters)
    # Addresses of other people the applicant typed are theirs to keep only while the request is.
    PendingCollaborator.objects.filter(request__applicant=user).delete()
    ReviewerProfile.objects.filter(user=user).delete()
    ReviewerAssignment.objects.filter(reviewer=user).exclude(status=ReviewerAssignment.Status.SUBMITTED).delete()
    user.compute_review_panels.clear()
    user.managed_compute_calls.clear()
    for resource in Resource.objects.filter(operators=user):
        resource.operators.remove(user)


def compute_export(user) -> dict:
    requests = AllocationRequest.objects.filter(applicant=user).select_related("call").prefetch_related(
        "attachments", "members__user"
    ).order_by("created_at", "id")
    return {"compute": {
        "requests": [
            {
                "call": r.call.slug, "title": r.title, "status": r.status, "affiliation": r.applicant_affiliation,
                "abstract": r.abstract, "justification": r.justification, "data_management": r.data_management,
                "requested_units": str(r.requested_units), "desired_start": r.desired_start.isoformat(),
                "duration_days": r.duration_days, "created_at": r.created_at.isoformat(),
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "collaborators": [email for email, _affiliation in collaborator_addresses(r)],
                "attachments": [a.name for a in r.attachments.all()],
            }
            for r in requests
        ],
        "collaborating_on": list(
            RequestMember.objects.filter(user=user).order_by("id").values("request__title", "affiliation")
        ),
        "cluster_usernames": [
            {"resource": name, "username": username, "confirmed": confirmed is not None}
            for name, username, confirmed in ClusterUsername.objects.filter(user=user).order_by("id")
            .values_list("resource__name", "username", "confirmed_at")
        ],
        "reviewer_affiliation": ReviewerProfile.objects.filter(user=user).values_list("affiliation", flat=True).first(),
        "reviews": [
            {"request": title, "status": status, "recommendation": rec, "comment": comment}
            for title, status, rec, comment in ReviewerAssignment.objects.filter(reviewer=user).order_by("id")
            .values_list("request__title", "status", "recommendation", "comment")
        ],
    }}


PERSONAL_DATA = pd.PersonalData(app="compute", rules=_RULES, export=compute_export, forget=compute_forget)


@receiver(email_confirmed, dispatch_uid="compute.link_pending_collaborators")
def link_pending_collaborators(sender, request, email_address, **kwargs):
    from apps.compute.services.requests import pending_collaborators_link

    pending_collaborators_link(user=email_address.user, email=email_address.email)
