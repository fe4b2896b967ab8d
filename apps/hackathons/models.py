"""Hackathons: schedule and lifecycle, registrations, teams, submissions and judging."""

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


class Hackathon(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        REGISTRATION_OPEN = "registration_open", _("Registration open")
        IN_PROGRESS = "in_progress", _("In progress")
        JUDGING = "judging", _("Judging")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        VENUE = "venue", _("At a venue")
        HYBRID = "hybrid", _("Hybrid")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open to everyone")
        APPROVAL = "approval", _("Approval by the organisers")
        INVITE = "invite", _("Invitation only")
        DOMAIN = "domain", _("Limited to e-mail domains")

    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    summary = models.CharField(_("summary"), max_length=280)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    cover_image = models.ImageField(_("cover image"), upload_to="hackathons/covers/", blank=True)
    rules = models.TextField(_("rules"), blank=True, help_text=_("Markdown."))
    prizes = models.TextField(_("prizes"), blank=True, help_text=_("Markdown."))
    languages = models.CharField(
        _("languages"), max_length=60, default="es", help_text=_("Language codes, comma separated.")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.ONLINE)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_timezone]
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    join_policy = models.CharField(
        _("who may register"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    allowed_email_domains = models.CharField(
        _("allowed e-mail domains"), max_length=300, blank=True, help_text=_("Comma separated, e.g. uni.es, lab.org")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty for no limit; later registrations go to a waitlist.")
    )
    min_team_size = models.PositiveSmallIntegerField(_("minimum team size"), default=1)
    max_team_size = models.PositiveSmallIntegerField(_("maximum team size"), default=4)

    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    hacking_starts_at = models.DateTimeField(_("hacking starts"))
    hacking_ends_at = models.DateTimeField(_("hacking ends"))
    judging_ends_at = models.DateTimeField(_("judging ends"))
    results_at = models.DateTimeField(_("results announced"))
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)

    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organised_hackathons", verbose_name=_("organisers")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["hacking_starts_at", "id"]
        verbose_name = _("hackathon")
        verbose_name_plural = _("hackathons")
        indexes = [
            models.Index(fields=["state", "hacking_starts_at"], name="hack_state_start_idx"),
            models.Index(fields=["hacking_ends_at"], name="hack_ends_idx"),
            models.Index(fields=["format", "hacking_starts_at"], name="hack_format_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_opens_at__lt=F("registration_closes_at"))
                & Q(registration_closes_at__lte=F("hacking_ends_at"))
                & Q(hacking_starts_at__lt=F("hacking_ends_at"))
                & Q(hacking_ends_at__lte=F("judging_ends_at"))
                & Q(judging_ends_at__lte=F("results_at"))
                & Q(registration_opens_at__lte=F("hacking_starts_at")),
                name="hack_schedule_ordered",
            ),
            models.CheckConstraint(
                condition=Q(min_team_size__gte=1) & Q(max_team_size__gte=F("min_team_size")),
                name="hack_team_size_range",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def results_published(self) -> bool:
        return self.results_published_at is not None

    @property
    def is_in_person(self) -> bool:
        return self.format in (self.Format.VENUE, self.Format.HYBRID)

    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def email_domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.allowed_email_domains.split(",") if d.strip()]

    def schedule(self) -> list[tuple[str, str, object]]:
        """The milestones in order, as (key, label, aware datetime)."""
        return [
            ("registration_opens_at", _("Registration opens"), self.registration_opens_at),
            ("registration_closes_at", _("Registration closes"), self.registration_closes_at),
            ("hacking_starts_at", _("Hacking starts"), self.hacking_starts_at),
            ("hacking_ends_at", _("Hacking ends (submission deadline)"), self.hacking_ends_at),
            ("judging_ends_at", _("Judging ends"), self.judging_ends_at),
            ("results_at", _("Results announced"), self.results_at),
        ]


class HackathonTransition(models.Model):
    """One move of the lifecycle: who (empty for the scheduler), when, from and to."""

    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=Hackathon.State.choices)
    to_state = models.CharField(max_length=20, choices=Hackathon.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hackathon history entry")
        verbose_name_plural = _("hackathon history entries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["hackathon", "created_at"], name="hack_transition_idx")]


class Track(models.Model):
    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["hackathon", "name"], name="hack_track_unique_name")]

    def __str__(self):
        return self.name


class RegistrationInvite(models.Model):
    """An e-mail address allowed to register for an invitation-only hackathon."""

    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="registration_invites")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration invite")
        verbose_name_plural = _("registration invites")
        constraints = [models.UniqueConstraint(fields=["hackathon", "email"], name="hack_reginvite_unique")]


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hackathon_registrations")
    status = models.CharField(max_length=12, choices=Status.choices)
    motivation = models.TextField(_("motivation"), blank=True)
    looking_for = models.CharField(_("skills / what I'm looking for"), max_length=300, blank=True)
    agreed_at = models.DateTimeField()
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["hackathon", "status", "created_at"], name="hack_reg_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["hackathon", "user"], name="hack_reg_one_per_user"),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="confirmed"), name="hack_reg_checkin_confirmed"
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CONFIRMED, self.Status.WAITLISTED)


class Team(models.Model):
    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("team name"), max_length=80)
    invite_code = models.CharField(max_length=24, unique=True, default=new_invite_code)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["hackathon", "name"], name="hack_team_unique_name")]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    # Denormalised so the database can enforce "one team per person per hackathon".
    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hackathon_teams")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["hackathon", "user"], name="hack_one_team_per_user")]
        indexes = [models.Index(fields=["team", "joined_at"], name="hack_member_team_idx")]


class TeamInvitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["invitee", "status"], name="hack_teaminv_invitee_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "invitee"], condition=Q(status="pending"), name="hack_teaminv_one_pending"
            )
        ]


class Submission(models.Model):
    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="submissions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="submissions")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="submissions")
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), help_text=_("Markdown."))
    source_url = models.URLField(_("source repository URL"), blank=True)
    video_url = models.URLField(_("demo video URL"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["hackathon", "created_at"], name="hack_sub_created_idx")]
        constraints = [models.UniqueConstraint(fields=["team", "track"], name="hack_sub_one_per_team_track")]

    def __str__(self):
        return self.title


class SubmissionRepository(models.Model):
    """A Hugging Face Hub repository (`owner/name`) a submission is built on."""

    class Kind(models.TextChoices):
        MODEL = "model", _("Model")
        DATASET = "dataset", _("Dataset")
        SPACE = "space", _("Space")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="repositories")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    repo_id = models.CharField(max_length=193)

    class Meta:
        verbose_name = _("submission repository")
        verbose_name_plural = _("submission repositories")
        ordering = ["id"]
        indexes = [models.Index(fields=["repo_id"], name="hack_subrepo_repo_idx")]
        constraints = [
            models.UniqueConstraint(fields=["submission", "kind", "repo_id"], name="hack_subrepo_unique")
        ]

    @property
    def hub_url(self) -> str:
        prefix = {"model": "", "dataset": "datasets/", "space": "spaces/"}[self.kind]
        return f"https://huggingface.co/{prefix}{self.repo_id}"


class RubricCriterion(models.Model):
    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("judging criterion")
        verbose_name_plural = _("judging criteria")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hackathon", "name"], name="hack_criterion_unique_name"),
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(max_score__gte=1), name="hack_criterion_positive"),
        ]

    def __str__(self):
        return self.name


class Judge(models.Model):
    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judging")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["hackathon", "user"], name="hack_judge_unique")]


class JudgeAssignment(models.Model):
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="assignments")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("judge assignment")
        verbose_name_plural = _("judge assignments")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["judge", "submission"], name="hack_assignment_unique")]


class Score(models.Model):
    """One judge's mark for one criterion of one submission."""

    assignment = models.ForeignKey(JudgeAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("judge score")
        verbose_name_plural = _("judge scores")
        ordering = ["criterion__position", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="hack_score_unique")]


class ReminderSent(models.Model):
    """Makes deadline reminders idempotent: one row per hackathon and reminder."""

    hackathon = models.ForeignKey(Hackathon, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["hackathon", "kind"], name="hack_reminder_once")]
