"""Reads of the compute app, shaped for their page or endpoint and filtered by visibility."""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from apps.accounts import roles
from apps.accounts.selectors import named_people
from apps.compute.models import (
    AllocationRequest,
    Call,
    ChangeRequest,
    ClusterUsername,
    ExpectedOutput,
    Grant,
    GrantSync,
    RequestMember,
    Resource,
    ReviewerAssignment,
    SchedulerCommand,
    Transition,
    UsageRecord,
)
from apps.core.summaries import Summary
from apps.hub.selectors import repositories_by_key

Status = AllocationRequest.Status
FUNDED = [Status.APPROVED, Status.ACTIVE, Status.COMPLETED]
DECIDED = [Status.APPROVED, Status.REJECTED, Status.ACTIVE, Status.COMPLETED]
PUBLIC_LEDGER = Summary("public-ledger", ("compute",))
OUTPUTS_ADOPTION = Summary("funded-outputs-adoption", ("compute", "hub"))
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _grants_sum(field: str):
    """A call's grants summed: units granted, or used and measured as the grants keep them."""
    return Coalesce(
        Subquery(
            Grant.objects.filter(call=OuterRef("pk")).values("call")
            .annotate(t=Sum(field)).values("t")[:1]
        ),
        ZERO,
    )


def _granted_subquery():
    return _grants_sum("units")


def _used_subquery(*, measured: bool = False):
    """Units used on a call's grants; `measured`: only what a scheduler's accounting measured."""
    return _grants_sum("units_measured" if measured else "units_used")


def call_list() -> QuerySet[Call]:
    """Every call (calls are public), newest first, with the totals the list shows."""
    return (
        Call.objects.select_related("resource")
        .annotate(granted=_granted_subquery())
        .order_by("-opens_at", "-id")
    )


def call_detail(*, slug: str) -> Call | None:
    return (
        Call.objects.select_related("resource")
        .prefetch_related(
            "criteria", Prefetch("managers", queryset=named_people()), Prefetch("reviewers", queryset=named_people())
        )
        .annotate(granted=_granted_subquery(), used=_used_subquery())
        .filter(slug=slug).first()
    )


def _request_base() -> QuerySet[AllocationRequest]:
    return AllocationRequest.objects.select_related("call__resource", "applicant__profile", "grant").prefetch_related(
        Prefetch("members", queryset=RequestMember.objects.select_related("user__profile")),
        "call__managers",
    )


def collaborator_addresses(request: AllocationRequest) -> list[tuple[str, str]]:
    """(e-mail, affiliation) of every collaborator listed, with or without an account yet,
    in one form: what the applicant sees, so it never tells them who is registered."""
    members = [(m.user.email.lower(), m.affiliation) for m in request.members.all()]
    pending = [(p.email, p.affiliation) for p in request.pending_collaborators.all()]
    return sorted(members + pending)


def visible_requests(*, user) -> QuerySet[AllocationRequest]:
    """The one visibility rule for requests: applicant, collaborators, managers, assigned reviewers.

    Mirrors permissions.can_view_request, which checks one request already loaded.
    """
    if not user.is_authenticated:
        return AllocationRequest.objects.none()
    applicant_side = Q(applicant=user) | Exists(RequestMember.objects.filter(request=OuterRef("pk"), user=user))
    # A draft is the applicant's private notebook: managers and staff see a request once it
    # has been submitted (a draft withdrawn before that stays private).
    submitted = Q(submitted_at__isnull=False)
    if user.is_staff:
        return _request_base().filter(applicant_side | submitted)
    # Operators see the granted requests on the resources they report usage for.
    operated = (
        Q(grant__isnull=False)
        & Exists(Resource.operators.through.objects.filter(resource=OuterRef("call__resource"), user=user))
        & Exists(user.groups.through.objects.filter(user=user, group__name=roles.COMPUTE_OPERATORS))
    )
    return _request_base().filter(
        applicant_side
        | (submitted & (
            Exists(Call.managers.through.objects.filter(call=OuterRef("call"), user=user))
            | Exists(ReviewerAssignment.objects.filter(request=OuterRef("pk"), reviewer=user).exclude(
                status=ReviewerAssignment.Status.CONFLICT))
            | operated
        ))
    )


def request_list(*, user) -> QuerySet[AllocationRequest]:
    return visible_requests(user=user).annotate(used=grant_used_annotation())


def my_requests(*, user) -> QuerySet[AllocationRequest]:
    """Requests the member applied for or collaborates on."""
    return _request_base().filter(
        Q(applicant=user) | Exists(RequestMember.objects.filter(request=OuterRef("pk"), user=user))
    ).annotate(used=grant_used_annotation())


def compute_roles(*, user) -> dict[str, bool]:
    """Which compute pages are for this person, in one query: reviewers and operators."""
    if not user.is_authenticated:
        return {"reviewer": False, "operator": False}
    # Every compute page asks this: uncorrelated EXISTS and no ordering cost a fifth less
    # Python to build than annotations on the member's row with `.first()`.
    row = user.__class__.objects.filter(pk=user.pk).values_list(
        Exists(ReviewerAssignment.objects.filter(reviewer=user)),
        Exists(Call.reviewers.through.objects.filter(user=user)),
        Exists(user.groups.through.objects.filter(user=user, group__name=roles.COMPUTE_OPERATORS)),
    )[:1]
    assigned, call_reviewer, operator = next(iter(row), (False, False, False))
    return {"reviewer": assigned or call_reviewer, "operator": user.is_staff or operator}


def grants_to_report(*, user) -> QuerySet[Grant]:
    """Grants an operator reports usage against: their resources' grants, newest period first."""
    grants = Grant.objects.select_related("request__call__resource", "request__applicant__profile").annotate(
        used=Coalesce(Sum("usage_records__units"), ZERO)
    ).order_by("-end_date", "-id")
    if user.is_staff:
        return grants
    return grants.filter(call__resource__operators=user)


def grant_used_annotation():
    return Coalesce(
        Subquery(
            UsageRecord.objects.filter(grant__request=OuterRef("pk")).values("grant")
            .annotate(t=Sum("units")).values("t")[:1]
        ),
        ZERO,
    )


def request_detail(*, user, pk: int) -> AllocationRequest | None:
    return (
        visible_requests(user=user)
        .prefetch_related(
            "outputs", "attachments",
            Prefetch("transitions", queryset=Transition.objects.select_related("actor__profile")),
            Prefetch("assignments", queryset=ReviewerAssignment.objects.select_related("reviewer__profile")
                     .prefetch_related("scores__criterion")),
            "call__criteria", "call__reviewers",
        )
        .annotate(used=grant_used_annotation())
        .filter(pk=pk).first()
    )


def manager_requests(*, call: Call) -> QuerySet[AllocationRequest]:
    """The manager's dashboard: every submitted request of the call with its review progress."""
    return (
        AllocationRequest.objects.filter(call=call, submitted_at__isnull=False)
        .select_related("applicant__profile", "grant", "staged_by__profile")
        .prefetch_related(
            Prefetch("assignments", queryset=ReviewerAssignment.objects.select_related("reviewer__profile")),
            Prefetch("members", queryset=RequestMember.objects.select_related("user__profile")),
        )
        .annotate(used=grant_used_annotation())
        .order_by("submitted_at", "pk")
    )


def reviewer_queue(*, user) -> QuerySet[ReviewerAssignment]:
    return (
        ReviewerAssignment.objects.filter(reviewer=user)
        .exclude(status=ReviewerAssignment.Status.CONFLICT)
        .select_related("request__call__resource", "request__applicant__profile")
        .order_by("status", "-created_at", "-id")
    )


def assignment_for_review(*, user, pk: int) -> ReviewerAssignment | None:
    return (
        ReviewerAssignment.objects.filter(reviewer=user, pk=pk)
        .select_related("request__call__resource", "request__applicant__profile", "request__grant")
        .prefetch_related(
            "scores", "request__call__criteria", "request__call__managers", "request__outputs",
            "request__attachments",
            Prefetch("request__members", queryset=RequestMember.objects.select_related("user__profile")),
            Prefetch("request__assignments", queryset=ReviewerAssignment.objects.select_related("reviewer__profile")
                     .prefetch_related("scores__criterion")),
            Prefetch("request__transitions", queryset=Transition.objects.select_related("actor__profile")),
        )
        .first()
    )


def grant_usage(*, grant: Grant) -> QuerySet[UsageRecord]:
    return grant.usage_records.order_by("period_start", "pk")


def decisions_for_export(*, call: Call) -> QuerySet[AllocationRequest]:
    return (
        AllocationRequest.objects.filter(call=call, submitted_at__isnull=False)
        .select_related("applicant__profile", "grant")
        .annotate(
            reviews=Count("assignments", filter=Q(assignments__status=ReviewerAssignment.Status.SUBMITTED)),
        )
        .order_by("pk")
    )


def gpu_hours_numbers() -> dict[str, Decimal]:
    """GPU-hours granted and reported used on every call, for the home page (two queries)."""
    gpu = {"call__resource__unit": Resource.Unit.GPU_HOURS}
    granted = Grant.objects.filter(**gpu).aggregate(t=Sum("units", default=ZERO))["t"]
    used = UsageRecord.objects.filter(**{f"grant__{k}": v for k, v in gpu.items()}).aggregate(
        t=Sum("units", default=ZERO)
    )["t"]
    return {"gpu_hours_granted": granted, "gpu_hours_used": used}


def funded_output_repo_ids() -> list[str]:
    """Hub repository ids promised by funded projects."""
    return list(
        ExpectedOutput.objects.filter(request__status__in=FUNDED)
        .order_by("repo_id").values_list("repo_id", flat=True).distinct()
    )


@dataclass
class OutputsAdoption:
    """How much of what public compute funded is on the Hub, and how much it is used."""

    promised: int
    published: int
    downloads_30d: int


def funded_outputs_adoption() -> OutputsAdoption:
    """Promised outputs of funded projects against the Hub catalogue, cached until either changes."""
    return OUTPUTS_ADOPTION.get(_funded_outputs_adoption)


def _funded_outputs_adoption() -> OutputsAdoption:
    """Two queries; the catalogue lookup uses the index on the repository id."""
    keys = set(
        ExpectedOutput.objects.filter(request__status__in=FUNDED).values_list("kind", "repo_id")
    )
    live = [r for r in repositories_by_key(keys).values() if r.removed_at is None]
    return OutputsAdoption(
        promised=len(keys), published=len(live), downloads_30d=sum(r.downloads for r in live)
    )


def attach_hub_adoption(projects) -> None:
    """Give each output of these projects its catalogue entry (or None), in one query."""
    outputs = [output for project in projects for output in project.outputs.all()]
    found = repositories_by_key((o.kind, o.repo_id) for o in outputs)
    for output in outputs:
        output.hub = found.get((output.kind, output.repo_id))


# --- The public dashboard ---------------------------------------------------------


@dataclass
class Ledger:
    """Public totals of one call or one resource; no private request data."""

    name: str
    unit: str
    budget: Decimal
    granted: Decimal
    used: Decimal
    requests: int
    approved: int
    decided: int
    mean_days: float | None
    median_days: float | None
    slug: str = ""
    short_name: str = ""
    # The part of `used` measured by a cluster's scheduler; the rest was reported by operators.
    measured: Decimal = Decimal("0")

    @property
    def acceptance_rate(self) -> int | None:
        return round(100 * self.approved / self.decided) if self.decided else None

    @property
    def overrun(self) -> bool:
        return self.used > self.granted


def _decision_days(rows) -> tuple[float | None, float | None]:
    days = [(decided - submitted).total_seconds() / 86400 for submitted, decided in rows]
    if not days:
        return None, None
    return round(statistics.mean(days), 1), round(statistics.median(days), 1)


def public_ledger() -> tuple[list[Ledger], list[Ledger]]:
    """(per call, per resource) ledgers, cached until a call, request, grant or usage changes."""
    return PUBLIC_LEDGER.get(_public_ledger, get_language())


def _public_ledger() -> tuple[list[Ledger], list[Ledger]]:
    """(per call, per resource) ledgers from a fixed number of queries."""
    calls = list(
        Call.objects.select_related("resource")
        .annotate(
            granted=_granted_subquery(), used=_used_subquery(), measured=_used_subquery(measured=True),
            n_requests=Count("requests", filter=Q(requests__submitted_at__isnull=False)),
            n_approved=Count("requests", filter=Q(requests__status__in=FUNDED)),
            n_decided=Count("requests", filter=Q(requests__status__in=DECIDED)),
        )
        .order_by("-opens_at", "-id")
    )
    timings: dict[int, list] = {}
    for call_id, submitted, decided in AllocationRequest.objects.filter(
        status__in=DECIDED, submitted_at__isnull=False, decided_at__isnull=False
    ).values_list("call_id", "submitted_at", "decided_at"):
        timings.setdefault(call_id, []).append((submitted, decided))
    per_call, per_resource = [], {}
    for call in calls:
        mean, median = _decision_days(timings.get(call.pk, []))
        per_call.append(Ledger(
            name=call.title, short_name=call.slug, slug=call.slug, unit=call.resource.get_unit_display(),
            budget=call.budget,
            granted=call.granted, used=call.used, requests=call.n_requests, approved=call.n_approved,
            decided=call.n_decided, mean_days=mean, median_days=median, measured=call.measured,
        ))
        res = per_resource.setdefault(call.resource_id, {"resource": call.resource, "calls": [], "timings": []})
        res["calls"].append(call)
        res["timings"].extend(timings.get(call.pk, []))
    resources = []
    for entry in sorted(per_resource.values(), key=lambda e: e["resource"].name):
        cs = entry["calls"]
        mean, median = _decision_days(entry["timings"])
        resources.append(Ledger(
            name=f"{entry['resource'].name} ({entry['resource'].provider})",
            short_name=entry["resource"].name, slug=entry["resource"].slug, unit=entry["resource"].get_unit_display(),
            budget=sum((c.budget for c in cs), Decimal("0")), granted=sum((c.granted for c in cs), Decimal("0")),
            used=sum((c.used for c in cs), Decimal("0")), requests=sum(c.n_requests for c in cs),
            approved=sum(c.n_approved for c in cs), decided=sum(c.n_decided for c in cs),
            mean_days=mean, median_days=median, measured=sum((c.measured for c in cs), Decimal("0")),
        ))
    return per_call, resources


def public_funded_projects() -> QuerySet[AllocationRequest]:
    """Funded projects with their public fields (title, call, grant, outputs); never reviews."""
    return (
        AllocationRequest.objects.filter(status__in=FUNDED)
        .select_related("call__resource", "grant")
        .prefetch_related("outputs")
        .annotate(used=grant_used_annotation())
        .order_by("-decided_at", "-pk")
    )


def resources() -> QuerySet[Resource]:
    return Resource.objects.order_by("name")


def pending_changes(*, call: Call):
    return list(
        ChangeRequest.objects.filter(grant__call=call, status=ChangeRequest.Status.PENDING)
        .select_related("grant__request").order_by("created_at")
    )


def staged_count(*, call: Call) -> int:
    return AllocationRequest.objects.filter(call=call, status__in=[Status.SUBMITTED, Status.UNDER_REVIEW]).exclude(
        staged_decision="").count()


def scheduler_page(*, resource: Resource) -> dict:
    """An operator's view of a resource on its cluster: grants' sync state, logins to confirm, the audit log."""
    syncs = (GrantSync.objects.filter(grant__call__resource=resource).select_related("grant__request")
             .order_by("-grant_id"))
    usernames = (ClusterUsername.objects.filter(resource=resource, confirmed_at__isnull=True)
                 .select_related("user").order_by("created_at"))
    commands = SchedulerCommand.objects.filter(resource=resource).select_related("actor")[:50]
    return {"syncs": syncs, "usernames_to_confirm": usernames, "commands": commands}


def grant_on_cluster(*, grant: Grant, user) -> dict:
    """A grant's account and sync state on its resource's cluster, and the viewer's declared login there."""
    resource = grant.call.resource
    if not resource.slurm_cluster:
        return {}
    mine = ClusterUsername.objects.filter(resource=resource, user=user).first() if user.is_authenticated else None
    return {"scheduler_sync": GrantSync.objects.filter(grant=grant).first(), "cluster_username": mine}


def resources_on_clusters(*, user) -> QuerySet[Resource]:
    """The resources on a Slurm cluster whose operators' page `user` may open (staff: all)."""
    resources = Resource.objects.exclude(slurm_cluster="").order_by("name")
    return resources if user.is_staff else resources.filter(operators=user)


def review_counts(*, request: AllocationRequest) -> dict:
    """How many of a request's reviewers have submitted, for the decision's confirmation."""
    return request.assignments.aggregate(
        reviews_in=Count("pk", filter=Q(status=ReviewerAssignment.Status.SUBMITTED)),
        reviews_assigned=Count("pk", filter=~Q(status=ReviewerAssignment.Status.CONFLICT)),
    )
