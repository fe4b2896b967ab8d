"""Resources, calls and the applicant's side of a request: drafts, submission, attachments."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.compute import permissions
from apps.compute.models import (
    AllocationRequest,
    Call,
    Criterion,
    ExpectedOutput,
    Grant,
    PendingCollaborator,
    RequestAttachment,
    RequestMember,
    Resource,
    ReviewerAssignment,
    Score,
)
from apps.compute.services.lifecycle import grants_sync_enqueue, transition
from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.core.formatting import quantity
from apps.notifications.services import notify

Status = AllocationRequest.Status
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
PDF_MAGIC = b"%PDF-"
# Beyond these a grant's dates stop meaning anything (and far enough out, stop being dates).
MAX_DURATION_DAYS = 3660
MAX_START_DAYS = 3 * 366


@dataclass
class Collaborator:
    """A member (`user`), or an address without a verified account yet (`user` None, `email`)."""

    user: object
    affiliation: str = ""
    email: str = ""

    @property
    def key(self) -> tuple:
        return ("user", self.user.pk) if self.user is not None else ("email", self.email.lower())


def collaborators_from_emails(items: list[tuple[str, str]]) -> list[Collaborator]:
    """(e-mail, affiliation) pairs as typed; verified addresses resolve to their member.

    Never tells the caller which addresses have accounts: the others wait as pending.
    """
    wanted = [email.strip().lower() for email, _affiliation in items]
    owners = dict(
        EmailAddress.objects.annotate(address=Lower("email"))
        .filter(verified=True, address__in=wanted)
        .values_list("address", "user_id")
    )
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=owners.values(), is_active=True)}
    return [
        Collaborator(users.get(owners.get(email)), affiliation.strip(), email)
        for email, (_typed, affiliation) in zip(wanted, items)
    ]


@dataclass
class Output:
    kind: str
    repo_id: str
    licence: str


def request_url(request: AllocationRequest) -> str:
    return reverse("compute:request-detail", args=[request.pk])


@transaction.atomic
def resource_create(*, name: str, slug: str, provider: str, kind: str, unit: str,
                    description: str = "", operators=(), slurm_cluster: str = "", slurm_partition: str = "",
                    slurm_qos: str = "", slurm_tres: str = "") -> Resource:
    resource = Resource(
        name=name, slug=slug, provider=provider, kind=kind, unit=unit, description=description,
        slurm_cluster=slurm_cluster, slurm_partition=slurm_partition, slurm_qos=slurm_qos, slurm_tres=slurm_tres,
    )
    if slurm_cluster and not slurm_tres:
        raise InvalidInput(errors={"slurm_tres": [_("Say which Slurm resource a unit-hour stands for.")]})
    try:
        resource.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise InvalidInput(errors=error.message_dict) from error
    resource.save()
    resource.operators.set(operators)
    return resource


def granted_total(call_id: int) -> Decimal:
    return Grant.objects.filter(call_id=call_id).aggregate(total=Sum("units"))["total"] or Decimal("0")


CALL_FIELDS = ("resource", "title", "description", "eligibility", "budget", "per_request_max", "opens_at",
               "closes_at", "review_deadline", "blind_review", "score_visibility")


def members_by_identifier(identifiers, *, field: str) -> list:
    """Members named by e-mail address or username; unknown names are field errors."""
    User = get_user_model()
    found, unknown = [], []
    for identifier in dict.fromkeys(i.strip() for i in identifiers if i and i.strip()):
        lookup = {"email__iexact": identifier} if "@" in identifier else {"username__iexact": identifier}
        user = User.objects.filter(is_active=True, **lookup).first()
        if user is None:
            unknown.append(identifier)
        elif user not in found:
            found.append(user)
    if unknown:
        raise InvalidInput(errors={field: [_("No member with the e-mail or username: %s.") % ", ".join(unknown)]})
    return found


def _validate_call(*, values: dict, criteria, call: Call | None, slug: str | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if call is None and not slug:
        errors["slug"] = [_("Give the call an address (letters, digits and hyphens).")]
    elif call is None and Call.objects.filter(slug=slug).exists():
        errors["slug"] = [_("Another call already uses this address.")]
    budget, per_request_max = values["budget"], values["per_request_max"]
    if values["resource"] is None:
        errors["resource"] = [_("No such resource.")]
    if not (values["title"] or "").strip():
        errors["title"] = [_("Give the call a title.")]
    if budget is None or budget <= 0:
        errors["budget"] = [_("The budget must be positive.")]
    elif call is not None and budget < granted_total(call.pk):
        errors["budget"] = [_("%(granted)s units are already granted: the budget cannot be lower.")
                            % {"granted": quantity(granted_total(call.pk))}]
    if per_request_max is None or budget is None or not 0 < per_request_max <= budget:
        errors["per_request_max"] = [_("The maximum per request must be positive and within the budget.")]
    if values["closes_at"] <= values["opens_at"]:
        errors["closes_at"] = [_("The call must close after it opens.")]
    if values["review_deadline"] < values["closes_at"]:
        errors["review_deadline"] = [_("The review deadline cannot be before the call closes.")]
    if values["score_visibility"] not in Call.ScoreVisibility.values:
        errors["score_visibility"] = [_("Choose who sees other reviewers' scores.")]
    if criteria is not None:
        names = [name.strip() for name, _weight in criteria]
        if not criteria:
            errors["criteria"] = [_("Give at least one review criterion.")]
        elif any(not name or len(name) > 120 for name in names):
            errors["criteria"] = [_("Every criterion needs a name of at most 120 characters.")]
        elif len({n.casefold() for n in names}) != len(names):
            errors["criteria"] = [_("A criterion is listed twice.")]
        elif any(not 1 <= weight <= 100 for _name, weight in criteria):
            errors["criteria"] = [_("Weights go from 1 to 100.")]
    if errors:
        raise InvalidInput(errors=errors)


def _set_criteria(call: Call, criteria) -> None:
    current = [(c.name, c.weight) for c in call.criteria.all()]
    wanted = [(name.strip(), weight) for name, weight in criteria]
    if current == wanted:
        return
    # Stored weighted scores were computed with the old criteria: they cannot change under them.
    if Score.objects.filter(criterion__call=call).exists():
        raise Conflict(_("Reviews have already been scored: the criteria can no longer change."),
                       errors={"criteria": [_("Reviews have already been scored with these criteria.")]})
    call.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(call=call, name=name, weight=weight, position=i) for i, (name, weight) in enumerate(wanted)
    )


@transaction.atomic
def call_create(*, actor=None, resource: Resource | None, title: str, slug: str, budget: Decimal,
                per_request_max: Decimal,
                opens_at, closes_at, review_deadline, criteria: list[tuple[str, int]],
                managers=(), reviewers=(), description: str = "", eligibility: str = "",
                blind_review: bool = False,
                score_visibility: str = Call.ScoreVisibility.AFTER_OWN) -> Call:
    if actor is not None and not permissions.can_open_call(actor):
        raise NotAllowed(_("Only staff can open calls."))
    values = dict(resource=resource, title=title, budget=budget, per_request_max=per_request_max,
                  opens_at=opens_at, closes_at=closes_at, review_deadline=review_deadline,
                  description=description, eligibility=eligibility, blind_review=blind_review,
                  score_visibility=score_visibility)
    slug = slug or slugify(title)[:80]
    _validate_call(values=values, criteria=criteria, call=None, slug=slug)
    call = Call.objects.create(slug=slug, **values)
    _set_criteria(call, criteria)
    call.managers.set(managers)
    call.reviewers.set(reviewers)
    return call


@transaction.atomic
def call_update(*, actor, call: Call, criteria: list[tuple[str, int]] | None = None, managers=None,
                reviewers=None, **fields) -> Call:
    """Staff edit a call; what reviews already rely on (scored criteria, blind review) stays fixed."""
    if not permissions.can_edit_call(actor, call):
        raise NotAllowed(_("Only staff can edit calls."))
    unknown = set(fields) - set(CALL_FIELDS)
    if unknown:
        raise InvalidInput(errors={name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    # Lock the row: budget checks here and in approvals must not interleave.
    call = Call.objects.select_for_update().select_related("resource").get(pk=call.pk)
    values = {name: fields.get(name, getattr(call, name)) for name in CALL_FIELDS}
    _validate_call(values=values, criteria=criteria, call=call)
    if values["resource"] != call.resource and call.requests.exists():
        # Requests were sized in the old resource's unit; grants are counted against it.
        raise InvalidInput(errors={"resource": [_("The call already has requests: its resource cannot change.")]})
    assigned = ReviewerAssignment.objects.filter(request__call=call)
    if values["blind_review"] != call.blind_review and assigned.exists():
        raise Conflict(_("Reviewers are already assigned: blind review can no longer be switched."),
                       errors={"blind_review": [_("Reviewers are already assigned.")]})
    if reviewers is not None:
        leaving = assigned.exclude(reviewer__in=reviewers).exclude(
            status=ReviewerAssignment.Status.CONFLICT).select_related("reviewer")
        names = sorted({str(a.reviewer) for a in leaving})
        if names:
            raise InvalidInput(errors={"reviewers": [
                _("Still assigned to requests in this call: %s.") % ", ".join(names)]})
    if values["review_deadline"] != call.review_deadline:
        call.review_reminder_sent_at = None  # a new deadline deserves its own reminder
    for name, value in values.items():
        setattr(call, name, value)
    call.save()
    if criteria is not None:
        _set_criteria(call, criteria)
    if managers is not None:
        call.managers.set(managers)
    if reviewers is not None:
        call.reviewers.set(reviewers)
    return call


def call_is_open(call: Call, now=None) -> bool:
    now = now or timezone.now()
    return call.opens_at <= now < call.closes_at


def _validate(*, call: Call, applicant, requested_units: Decimal, duration_days: int, desired_start: date | None,
              collaborators: list[Collaborator], outputs: list[Output], applicant_affiliation: str) -> None:
    errors: dict[str, list[str]] = {}
    if requested_units is None or requested_units <= 0:
        errors["requested_units"] = [_("Ask for a positive number of units.")]
    elif requested_units > call.per_request_max:
        errors["requested_units"] = [
            _("This call grants at most %(max)s %(unit)s per request.")
            % {"max": call.per_request_max, "unit": call.resource.get_unit_display()}
        ]
    if not duration_days or duration_days < 1:
        errors["duration_days"] = [_("The duration must be at least one day.")]
    elif duration_days > MAX_DURATION_DAYS:
        errors["duration_days"] = [_("The duration can be at most %d days.") % MAX_DURATION_DAYS]
    if desired_start is not None and desired_start > timezone.localdate() + timedelta(days=MAX_START_DAYS):
        errors["desired_start"] = [_("The start can be at most %d days from today.") % MAX_START_DAYS]
    if not applicant_affiliation.strip():
        errors["applicant_affiliation"] = [_("Declare your affiliation (it is used to avoid conflicts of interest).")]
    if any(c.key in (("user", applicant.pk), ("email", applicant.email.lower())) for c in collaborators):
        errors["collaborators"] = [_("You are the applicant; do not list yourself as a collaborator.")]
    if len({c.key for c in collaborators}) != len(collaborators):
        errors.setdefault("collaborators", []).append(_("A collaborator is listed twice."))
    for output in outputs:
        if output.kind not in ExpectedOutput.Kind.values:
            errors.setdefault("outputs", []).append(_("Unknown output kind “%s”.") % output.kind)
        if not REPO_ID.match(output.repo_id):
            errors.setdefault("outputs", []).append(
                _("“%s” is not a Hub repository id (owner/name).") % output.repo_id
            )
        if not output.licence.strip():
            errors.setdefault("outputs", []).append(_("Give a licence for “%s”.") % output.repo_id)
    if errors:
        raise InvalidInput(errors=errors)


def _set_people_and_outputs(request, collaborators, outputs) -> None:
    request.members.all().delete()
    RequestMember.objects.bulk_create(
        RequestMember(request=request, user=c.user, affiliation=c.affiliation.strip())
        for c in collaborators if c.user is not None
    )
    request.pending_collaborators.all().delete()
    PendingCollaborator.objects.bulk_create(
        PendingCollaborator(request=request, email=c.email.lower(), affiliation=c.affiliation.strip())
        for c in collaborators if c.user is None
    )
    request.outputs.all().delete()
    ExpectedOutput.objects.bulk_create(
        ExpectedOutput(request=request, kind=o.kind, repo_id=o.repo_id.strip(), licence=o.licence.strip())
        for o in outputs
    )


@transaction.atomic
def request_create(*, applicant, call: Call, title: str, abstract: str, justification: str,
                   requested_units: Decimal, desired_start: date, duration_days: int,
                   applicant_affiliation: str, data_management: str = "",
                   collaborators: list[Collaborator] = (), outputs: list[Output] = (),
                   uploaded_file=None) -> AllocationRequest:
    """A new draft (with its attachment, or neither); nothing is sent to anyone until it is submitted."""
    collaborators, outputs = list(collaborators), list(outputs)
    if not call_is_open(call):
        raise Conflict(_("This call is not open for requests."))
    _validate(call=call, applicant=applicant, requested_units=requested_units, duration_days=duration_days,
              desired_start=desired_start, collaborators=collaborators, outputs=outputs, applicant_affiliation=applicant_affiliation)
    request = AllocationRequest.objects.create(
        call=call, applicant=applicant, title=title, abstract=abstract, justification=justification,
        requested_units=requested_units, desired_start=desired_start, duration_days=duration_days,
        applicant_affiliation=applicant_affiliation.strip(), data_management=data_management,
    )
    _set_people_and_outputs(request, collaborators, outputs)
    if uploaded_file:
        attachment_add(actor=applicant, request=request, uploaded_file=uploaded_file)
    return request


@transaction.atomic
def request_create_and_submit(*, applicant, call: Call, **fields) -> AllocationRequest:
    """Create and submit, as one: if the submission is refused, no draft is left behind
    (the applicant fixes the form and sends it again, without a duplicate)."""
    request = request_create(applicant=applicant, call=call, **fields)
    return request_submit(actor=applicant, request=request)


@transaction.atomic
def request_update(*, actor, request: AllocationRequest, collaborators: list[Collaborator] | None = None,
                   outputs: list[Output] | None = None, uploaded_file=None, **fields) -> AllocationRequest:
    """Edit a draft, or a request sent back for changes (and add an attachment with the edits)."""
    if not permissions.can_edit_request(actor, request):
        raise NotAllowed(
            _("Only the applicant can edit this request, and only as a draft or when changes are requested."))
    editable = {"title", "abstract", "justification", "requested_units", "desired_start", "duration_days",
                "applicant_affiliation", "data_management"}
    for name, value in fields.items():
        if name not in editable:
            raise InvalidInput(errors={name: [_("This field cannot be changed.")]})
        setattr(request, name, value)
    current_collaborators = collaborators if collaborators is not None else [
        *(Collaborator(m.user, m.affiliation, m.user.email) for m in request.members.select_related("user")),
        *(Collaborator(None, p.affiliation, p.email) for p in request.pending_collaborators.all()),
    ]
    current_outputs = outputs if outputs is not None else [
        Output(o.kind, o.repo_id, o.licence) for o in request.outputs.all()
    ]
    _validate(call=request.call, applicant=request.applicant, requested_units=request.requested_units,
              duration_days=request.duration_days, desired_start=request.desired_start,
              collaborators=list(current_collaborators),
              outputs=list(current_outputs), applicant_affiliation=request.applicant_affiliation)
    request.save()
    if collaborators is not None or outputs is not None:
        _set_people_and_outputs(request, list(current_collaborators), list(current_outputs))
    if uploaded_file:
        attachment_add(actor=actor, request=request, uploaded_file=uploaded_file)
    return request


@transaction.atomic
def request_submit(*, actor, request: AllocationRequest, note: str = "") -> AllocationRequest:
    """Send a draft (or a revised request) to the call's managers."""
    if request.applicant_id != actor.pk:
        raise NotAllowed(_("Only the applicant can submit this request."))
    resubmission = request.status == Status.CHANGES_REQUESTED
    if not resubmission and not call_is_open(request.call):
        raise Conflict(_("This call is closed; requests can no longer be submitted."))
    transition(request=request, to=Status.SUBMITTED, actor=actor, note=note)
    url = request_url(request)
    notify(
        recipients=[request.applicant], kind="compute.submitted",
        title=lambda: _("We received your compute request “%s”") % request.title,
        body=lambda: _("You will be told when reviewers have assessed it."), url=url,
    )
    notify(
        recipients=list(request.call.managers.all()), kind="compute.submitted",
        title=lambda: (_("Resubmitted compute request: %s") if resubmission else _("New compute request: %s"))
        % request.title,
        url=reverse("compute:call-manage", args=[request.call.slug]),
    )
    return request


@transaction.atomic
def request_update_and_submit(*, actor, request: AllocationRequest, uploaded_file=None,
                              **changes) -> AllocationRequest:
    """Save the edits (and a new attachment) and submit, as one: if the submission is refused,
    neither the edits nor the file are kept."""
    request_update(actor=actor, request=request, uploaded_file=uploaded_file, **changes)
    return request_submit(actor=actor, request=request)


@transaction.atomic
def pending_collaborators_link(*, user, email: str) -> int:
    """`user` verified `email`: they join the requests that listed that address."""
    linked = []
    for pending in PendingCollaborator.objects.filter(email__iexact=email).select_related("request"):
        request = pending.request
        if request.applicant_id != user.pk and not request.members.filter(user=user).exists():
            RequestMember.objects.create(request=request, user=user, affiliation=pending.affiliation)
            linked.append(request.pk)
        pending.delete()
    # A new member of a running grant gets their association on its cluster.
    grants_sync_enqueue(Grant.objects.filter(request_id__in=linked).values_list("pk", flat=True))
    return len(linked)


@transaction.atomic
def request_withdraw(*, actor, request: AllocationRequest, note: str = "") -> AllocationRequest:
    if not permissions.can_withdraw_request(actor, request):
        raise NotAllowed(_("Only the applicant can withdraw this request."))
    transition(request=request, to=Status.WITHDRAWN, actor=actor, note=note)
    return request


@transaction.atomic
def request_changes_ask(*, actor, request: AllocationRequest, note: str) -> AllocationRequest:
    """A manager sends the request back to the applicant with what to change."""
    if not permissions.is_call_manager(actor, request.call):
        raise NotAllowed(_("Only the call's managers can ask for changes."))
    if not note.strip():
        raise InvalidInput(errors={"note": [_("Say what the applicant should change.")]})
    transition(request=request, to=Status.CHANGES_REQUESTED, actor=actor, note=note)
    notify(
        recipients=[request.applicant], kind="compute.changes_requested",
        title=lambda: _("Changes requested on “%s”") % request.title, body=note, url=request_url(request),
    )
    return request


@transaction.atomic
def attachment_add(*, actor, request: AllocationRequest, uploaded_file) -> RequestAttachment:
    """A PDF (checked by its first bytes, not its name) within the size limit."""
    if not permissions.can_edit_request(actor, request):
        raise NotAllowed(_("Only the applicant can add attachments while the request can be edited."))
    limit = settings.COMPUTE_ATTACHMENT_MAX_BYTES
    if uploaded_file.size > limit:
        raise InvalidInput(errors={"file": [
            _("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
        ]})
    head = uploaded_file.read(len(PDF_MAGIC))
    uploaded_file.seek(0)
    if head != PDF_MAGIC or not uploaded_file.name.lower().endswith(".pdf"):
        raise InvalidInput(errors={"file": [_("Only PDF files are accepted.")]})
    name = uploaded_file.name.rsplit("/", 1)[-1][:200]
    attachment = RequestAttachment(request=request, name=name, size=uploaded_file.size, uploaded_by=actor)
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    return attachment
