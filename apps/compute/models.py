"""Public compute allocation: resources, calls, requests, review, grants and usage."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


# What the platform passes to Slurm as a cluster, partition, QOS, account or user name: Slurm folds
# names to lower case, and nothing here can be read as an option or a second value.
SLURM_NAME = r"^[a-z][a-z0-9_-]{0,62}$"
SLURM_USERNAME = r"^[a-z_][a-z0-9_.-]{0,31}$"
slurm_name = RegexValidator(SLURM_NAME, _("Lower-case letters, digits, “-” and “_”, starting with a letter."))


def units_field(verbose_name, **kwargs):
    """Allocation units (GPU-hours, core-hours, TB-months) as exact decimals, never floats."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def private_storage():
    """Attachments live outside the public store: they are only served by a permission-checked view."""
    return storages["private"]


class Resource(models.Model):
    """A public machine partition whose capacity is handed out through calls."""

    class Kind(models.TextChoices):
        GPU = "gpu", _("GPU partition")
        CPU = "cpu", _("CPU partition")
        STORAGE = "storage", _("Storage")

    class Unit(models.TextChoices):
        GPU_HOURS = "gpu-hours", _("GPU-hours")
        CORE_HOURS = "core-hours", _("core-hours")
        TB_MONTHS = "tb-months", _("TB-months")

    class SchedulerTres(models.TextChoices):
        """The Slurm trackable resource one unit-hour stands for, counted in minutes."""

        GPU = "gres/gpu", _("GPU minutes (gres/gpu)")
        CPU = "cpu", _("CPU minutes (cpu)")
        BILLING = "billing", _("Billing minutes (billing, with the cluster's weights)")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    provider = models.CharField(_("provider or centre"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    description = models.TextField(_("description"), blank=True)
    # Who may report usage for this resource (they also need the compute-operators role).
    operators = models.ManyToManyField(
        User, blank=True, related_name="operated_compute_resources", verbose_name=_("operators")
    )
    # Bound to a Slurm cluster, grants become accounts with hard limits and usage is read from
    # its accounting; without one, operators keep reporting usage by hand.
    slurm_cluster = models.CharField(
        _("Slurm cluster"), max_length=64, blank=True, validators=[slurm_name],
        help_text=_("The cluster's name in Slurm's accounting. Leave empty to keep usage reported by operators."),
    )
    slurm_partition = models.CharField(_("Slurm partition"), max_length=64, blank=True, validators=[slurm_name])
    slurm_qos = models.CharField(_("Slurm QOS"), max_length=64, blank=True, validators=[slurm_name])
    slurm_tres = models.CharField(
        _("Slurm trackable resource"), max_length=16, choices=SchedulerTres.choices, blank=True,
        help_text=_("What one unit-hour of this resource is in Slurm: its limit is set in minutes of it."),
    )
    slurm_usage_imported_at = models.DateTimeField(null=True, blank=True)
    slurm_usage_error = models.TextField(blank=True)
    slurm_checked_at = models.DateTimeField(null=True, blank=True)
    # The differences the last drift check found (list of {"account", "kind", "detail"}).
    slurm_differences = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("compute resource")
        verbose_name_plural = _("compute resources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slurm_cluster="") | ~Q(slurm_tres=""), name="compute_resource_cluster_has_tres"
            ),
        ]

    def __str__(self):
        return self.name


class Call(models.Model):
    """An open call for proposals that distributes a fixed budget of one resource."""

    class ScoreVisibility(models.TextChoices):
        NEVER = "never", _("Never before the decision")
        AFTER_OWN = "after_own", _("After submitting their own review")
        ALWAYS = "always", _("Always")

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    budget = units_field(_("total budget"))
    per_request_max = units_field(_("maximum per request"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    review_deadline = models.DateTimeField(_("review deadline"))
    blind_review = models.BooleanField(
        _("blind review"), default=False,
        help_text=_("Reviewers do not see the applicant's name or affiliation."),
    )
    score_visibility = models.CharField(
        _("reviewers see each other's scores"), max_length=16,
        choices=ScoreVisibility.choices, default=ScoreVisibility.AFTER_OWN,
    )
    managers = models.ManyToManyField(User, blank=True, related_name="managed_compute_calls")
    reviewers = models.ManyToManyField(User, blank=True, related_name="compute_review_panels")
    created_at = models.DateTimeField(auto_now_add=True)
    # When reviewers with unscored assignments were reminded of the deadline (once per call).
    review_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        ordering = ["-opens_at", "-id"]
        indexes = [
            models.Index(fields=["-opens_at", "-id"], name="compute_call_recent_idx"),
            models.Index(fields=["closes_at"], name="compute_call_closes_idx"),
            # The daily reviewer reminder looks for deadlines in the next few days.
            models.Index(fields=["review_deadline"], name="compute_call_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="compute_call_budget_positive"),
            models.CheckConstraint(
                condition=Q(per_request_max__gt=0, per_request_max__lte=models.F("budget")),
                name="compute_call_max_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="compute_call_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(review_deadline__gte=models.F("closes_at")),
                name="compute_call_review_after_close",
            ),
        ]

    def __str__(self):
        return self.title


class Criterion(models.Model):
    """A review criterion with its weight in the call's weighted score."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="compute_criterion_unique_name"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="compute_criterion_weight_positive"),
        ]

    def __str__(self):
        return self.name


class ReviewerProfile(models.Model):
    """A reviewer's declared affiliation, used for conflict-of-interest checks."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="compute_reviewer_profile")
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")

    def __str__(self):
        return f"{self.user} ({self.affiliation})"


class AllocationRequest(models.Model):
    """A researcher's request for compute units in one call."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class StagedDecision(models.TextChoices):
        NONE = "", _("None")
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="requests")
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="compute_requests")
    applicant_affiliation = models.CharField(_("your affiliation"), max_length=200)
    title = models.CharField(_("project title"), max_length=200)
    abstract = models.TextField(_("abstract"))
    justification = models.TextField(_("technical justification"))
    data_management = models.TextField(_("data-management commitments"), blank=True)
    requested_units = units_field(_("requested units"))
    desired_start = models.DateField(_("desired start"))
    duration_days = models.PositiveIntegerField(_("duration in days"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A manager's decision prepared in advance and applied with the others when the call closes.
    staged_decision = models.CharField(max_length=8, choices=StagedDecision.choices, blank=True, default="")
    staged_units = units_field(_("units to grant"), null=True, blank=True)
    staged_note = models.TextField(blank=True)
    staged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("compute request")
        verbose_name_plural = _("compute requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["call", "status"], name="compute_req_call_status_idx"),
            models.Index(fields=["applicant", "-created_at"], name="compute_req_applicant_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(requested_units__gt=0), name="compute_request_units_positive"),
            models.CheckConstraint(condition=Q(duration_days__gte=1), name="compute_request_duration_positive"),
            models.CheckConstraint(
                condition=Q(staged_units__isnull=True) | Q(staged_units__gt=0),
                name="compute_request_staged_units_positive",
            ),
        ]

    def __str__(self):
        return self.title


class RequestMember(models.Model):
    """A collaborator on a request, with the affiliation they work under."""

    request = models.ForeignKey(AllocationRequest, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="compute_memberships")
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("request collaborator")
        verbose_name_plural = _("request collaborators")
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="compute_member_unique"),
        ]


class PendingCollaborator(models.Model):
    """A collaborator listed by an address no verified account has yet.

    The applicant is told the same whether an address has an account or not (so the form
    cannot be used to find out who is registered); the person becomes a `RequestMember`
    when they verify this address.
    """

    request = models.ForeignKey(AllocationRequest, on_delete=models.CASCADE, related_name="pending_collaborators")
    email = models.EmailField(_("e-mail address"))
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pending collaborator")
        verbose_name_plural = _("pending collaborators")
        ordering = ["id"]
        indexes = [models.Index(fields=["email"], name="compute_pending_email_idx")]
        constraints = [models.UniqueConstraint(fields=["request", "email"], name="compute_pending_unique")]


class ExpectedOutput(models.Model):
    """A model or dataset the project promises to publish on the Hub."""

    class Kind(models.TextChoices):
        MODEL = "model", _("Model")
        DATASET = "dataset", _("Dataset")

    request = models.ForeignKey(AllocationRequest, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    repo_id = models.CharField(_("Hub repository id"), max_length=200)
    licence = models.CharField(_("licence"), max_length=64)

    class Meta:
        verbose_name = _("expected output")
        verbose_name_plural = _("expected outputs")
        ordering = ["id"]
        indexes = [models.Index(fields=["repo_id"], name="compute_output_repo_idx")]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "repo_id"], name="compute_output_unique"),
        ]


def attachment_path(instance, filename):
    """A generated name: what people call their files (any length, any script) stays in `name`;
    file systems take 255 bytes per name, and a long non-ASCII name passes that well before 200 characters."""
    return f"compute/requests/{instance.request_id}/{uuid.uuid4().hex}.pdf"


class RequestAttachment(models.Model):
    request = models.ForeignKey(AllocationRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("request attachment")
        verbose_name_plural = _("request attachments")
        ordering = ["created_at", "id"]


class Transition(models.Model):
    """The audit trail: every status change, who made it, when and why."""

    request = models.ForeignKey(AllocationRequest, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=24, choices=AllocationRequest.Status.choices)
    to_status = models.CharField(max_length=24, choices=AllocationRequest.Status.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("request history entry")
        verbose_name_plural = _("request history entries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="compute_transition_req_idx")]


class ReviewerAssignment(models.Model):
    """One reviewer's assessment of one request: per-criterion scores and a recommendation."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Submitted")
        CONFLICT = "conflict", _("Declined: conflict of interest")

    class Recommendation(models.TextChoices):
        NONE = "", _("No recommendation yet")
        APPROVE = "approve", _("Approve")
        APPROVE_REDUCED = "approve_reduced", _("Approve with fewer units")
        CHANGES = "changes", _("Ask for changes")
        REJECT = "reject", _("Reject")

    request = models.ForeignKey(AllocationRequest, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="compute_assignments")
    assigned_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices, blank=True, default="")
    comment = models.TextField(_("comment"), blank=True)
    conflict_note = models.TextField(blank=True)
    weighted_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reviewer assignment")
        verbose_name_plural = _("reviewer assignments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["reviewer", "status", "-created_at"], name="compute_assign_queue_idx")]
        constraints = [
            models.UniqueConstraint(fields=["request", "reviewer"], name="compute_assignment_unique"),
        ]


class Score(models.Model):
    assignment = models.ForeignKey(ReviewerAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="compute_score_unique"),
            models.CheckConstraint(condition=Q(value__lte=10), name="compute_score_range"),
        ]


class Grant(models.Model):
    """Units granted to an approved request, for a period; counted against the call's budget."""

    request = models.OneToOneField(AllocationRequest, on_delete=models.PROTECT, related_name="grant")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="grants")
    units = units_field(_("granted units"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The highest usage threshold (80, 100) already announced, so each is announced once.
    usage_notified_percent = models.PositiveSmallIntegerField(default=0)
    # The last end-of-grant reminder sent (30, 7 or 1 days before); null before the first.
    last_reminder_days = models.PositiveSmallIntegerField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    # A grant on hold (a breach of the call's terms, an unpaid fee): on a cluster, no new jobs.
    suspended_at = models.DateTimeField(null=True, blank=True)
    # The sums of its usage records, all of them and those a scheduler measured, kept equal
    # to them by the services that write usage (`usage.usage_recorded`): ledgers add grants
    # instead of reading every usage record.
    units_used = units_field(_("units used"), default=0, editable=False)
    units_measured = units_field(_("measured units"), default=0, editable=False)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["call"], name="compute_grant_call_idx"),
            models.Index(fields=["end_date"], name="compute_grant_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(units__gt=0), name="compute_grant_units_positive"),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="compute_grant_end_after_start"
            ),
        ]


class UsageRecord(models.Model):
    """Consumption reported by the resource operator for one grant and period."""

    class Source(models.TextChoices):
        API = "api", _("API")
        CSV = "csv", _("CSV upload")
        FORM = "form", _("Form")
        SCHEDULER = "slurm", _("Measured by the scheduler")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="usage_records")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    units = units_field(_("units used"))
    reported_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Measured usage only: the jobs counted and the TRES minutes Slurm accounted ({"cpu": 61.5}).
    jobs = models.PositiveIntegerField(null=True, blank=True)
    tres_minutes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        ordering = ["period_start", "id"]
        constraints = [
            # Re-reporting a period replaces its figure: one row per grant and period.
            models.UniqueConstraint(
                fields=["grant", "period_start", "period_end"], name="compute_usage_unique_period"
            ),
            models.CheckConstraint(condition=Q(units__gte=0), name="compute_usage_units_nonnegative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="compute_usage_period_order"
            ),
        ]


class ChangeRequest(models.Model):
    """An applicant's request for more units or a later end date on an existing grant."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="change_requests")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    extra_units = units_field(_("extra units"), default=Decimal("0"))
    new_end_date = models.DateField(_("new end date"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grant change request")
        verbose_name_plural = _("grant change requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(extra_units__gte=0), name="compute_change_units_nonnegative"),
            models.UniqueConstraint(
                fields=["grant"], condition=Q(status="pending"), name="compute_change_one_pending"
            ),
        ]


class ClusterUsername(models.Model):
    """A member's login on a resource's cluster: declared by the member, confirmed by an operator."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="cluster_usernames")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="cluster_usernames")
    username = models.CharField(
        _("cluster username"), max_length=32,
        validators=[RegexValidator(SLURM_USERNAME, _("A login name: lower-case letters, digits, “.”, “-” and “_”."))],
    )
    confirmed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cluster username")
        verbose_name_plural = _("cluster usernames")
        ordering = ["resource", "username"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="compute_cluster_user_unique"),
            models.UniqueConstraint(fields=["resource", "username"], name="compute_cluster_username_unique"),
        ]

    def __str__(self):
        return self.username


class GrantSync(models.Model):
    """What the platform last applied to a grant's Slurm account, and how the last attempt went.

    The desired state is always computed from the grant; this row is the record of what Slurm was
    told, so an interrupted run is visible and the next run converges from what Slurm really has.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be synced")
        SYNCED = "synced", _("Synced")
        ERROR = "error", _("Error")

    grant = models.OneToOneField(Grant, on_delete=models.CASCADE, related_name="scheduler_sync")
    account = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    applied_limit_minutes = models.BigIntegerField(null=True, blank=True)
    applied_blocked = models.BooleanField(default=False)
    applied_users = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("grant sync with the scheduler")
        verbose_name_plural = _("grant syncs with the scheduler")
        indexes = [models.Index(fields=["status"], name="compute_grantsync_status_idx")]


class SchedulerCommand(models.Model):
    """The audit log: every command the platform ran against a cluster, who asked, and its result."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="scheduler_commands")
    grant = models.ForeignKey(Grant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    purpose = models.CharField(max_length=16)
    args = models.JSONField()
    # None when the command never finished (timed out, or could not be started).
    returncode = models.IntegerField(null=True, blank=True)
    output = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheduler command")
        verbose_name_plural = _("scheduler commands")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resource", "-created_at"], name="compute_schedcmd_recent_idx")]

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0
