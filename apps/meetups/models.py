"""Meetups: regional chapters, events with RSVPs and a waitlist, talks and speakers."""

import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.hackathons.models import validate_timezone
from apps.profiles.choices import Region

LANGUAGES = [("es", "Español"), ("ca", "Català"), ("eu", "Euskara"), ("gl", "Galego"), ("en", "English")]
MAX_QUESTIONS = 5


def new_code() -> str:
    """A check-in code short enough to read out at the door, too long to guess."""
    return secrets.token_hex(5).upper()


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Chapter(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    region = models.CharField(_("region"), max_length=2, choices=Region.choices)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organised_chapters")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region", "name"], name="meetup_chapter_region_idx")]

    def __str__(self):
        return self.name


class ChapterMembership(models.Model):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chapter_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chapter membership")
        verbose_name_plural = _("chapter memberships")
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["chapter", "user"], name="meetup_chapter_member_once")]


class Event(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        FINISHED = "finished", _("Finished")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open to every member")
        APPROVAL = "approval", _("Approval by the organisers")
        INVITE = "invite", _("Invitation only")

    class WaitlistMode(models.TextChoices):
        PROMOTE = "promote", _("Promote the next person at once")
        OFFER = "offer", _("Offer the place with a deadline to confirm")

    class AddressVisibility(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        ATTENDEES = "attendees", _("Confirmed attendees only")

    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    cover_image = models.ImageField(_("cover image"), upload_to="meetups/covers/", blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_timezone])
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("stream or video-call URL"), blank=True)
    address_visibility = models.CharField(
        _("who sees the address and link"), max_length=10, choices=AddressVisibility.choices,
        default=AddressVisibility.EVERYONE,
    )
    languages = models.CharField(_("languages"), max_length=30, default="es", help_text=_("Comma separated: es, ca, eu, gl, en."))
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Comma separated."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    join_policy = models.CharField(_("who may join"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty for no limit."))
    rsvp_deadline = models.DateTimeField(_("RSVP deadline"), null=True, blank=True)
    max_guests = models.PositiveSmallIntegerField(_("guests each member may bring"), default=0)
    waitlist_mode = models.CharField(_("when a place frees up"), max_length=10, choices=WaitlistMode.choices, default=WaitlistMode.PROMOTE)
    offer_hours = models.PositiveSmallIntegerField(_("hours to confirm an offered place"), default=24)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organised_meetups")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meetup")
        verbose_name_plural = _("meetups")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["state", "starts_at"], name="meetup_event_state_start_idx"),
            models.Index(fields=["state", "ends_at"], name="meetup_event_state_end_idx"),
            models.Index(fields=["chapter", "starts_at"], name="meetup_event_chapter_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="meetup_event_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(condition=Q(offer_hours__gte=1), name="meetup_event_offer_hours_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def is_in_person(self) -> bool:
        return bool(self.venue or self.address)

    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class EventTransition(models.Model):
    """The audit trail of an event: every state change and edit of time or place, by whom."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        PUBLISH = "publish", _("Published")
        CANCEL = "cancel", _("Cancelled")
        FINISH = "finish", _("Finished")
        CHANGE = "change", _("Time or place changed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=10, choices=Event.State.choices)
    to_state = models.CharField(max_length=10, choices=Event.State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meetup state change")
        verbose_name_plural = _("meetup state changes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "created_at"], name="meetup_transition_idx")]


class Question(models.Model):
    """One of up to five registration questions the organisers ask at RSVP."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=200)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["position", "id"]


class Invitation(models.Model):
    """An e-mail address allowed to RSVP to an invitation-only event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()

    class Meta:
        verbose_name = _("meetup invitation")
        verbose_name_plural = _("meetup invitations")
        constraints = [models.UniqueConstraint(fields=["event", "email"], name="meetup_invitation_once")]


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        PENDING = "pending", _("Waiting for approval")
        WAITLISTED = "waitlisted", _("On the waitlist")
        OFFERED = "offered", _("Place offered")
        NOT_GOING = "not_going", _("Not going")
        REMOVED = "removed", _("Removed by the organisers")

    HOLDS_PLACE = (Status.GOING, Status.OFFERED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetup_rsvps")
    status = models.CharField(max_length=12, choices=Status.choices)
    guests = models.PositiveSmallIntegerField(default=0)
    answers = models.JSONField(default=dict, blank=True)
    share_data = models.BooleanField(default=False)
    # The place in the queue: set when someone joins the waitlist, kept when an offer is made.
    queued_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    checkin_code = models.CharField(max_length=12, unique=True, default=new_code)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["event", "status", "queued_at"], name="meetup_rsvp_queue_idx"),
            models.Index(fields=["status", "offer_expires_at"], name="meetup_rsvp_offer_idx"),
            models.Index(fields=["user", "status"], name="meetup_rsvp_user_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="meetup_rsvp_one_per_user"),
            models.CheckConstraint(condition=Q(checked_in_at__isnull=True) | Q(status="going"), name="meetup_rsvp_checkin_going"),
            models.CheckConstraint(condition=Q(offer_expires_at__isnull=True) | Q(status="offered"), name="meetup_rsvp_offer_deadline"),
        ]

    @property
    def places(self) -> int:
        return 1 + self.guests


class Talk(models.Model):
    """A talk: proposed to a chapter's call for speakers, or put straight on an event's agenda."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, null=True, blank=True, related_name="talks")
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="talks")
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), blank=True, help_text=_("Markdown."))
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="es")
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decision_note = models.TextField(blank=True)
    speakers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="meetup_talks")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["event", "starts_at"], name="meetup_talk_event_idx"),
            models.Index(fields=["chapter", "status"], name="meetup_talk_chapter_idx"),
        ]

    def __str__(self):
        return self.title


class TalkRepository(models.Model):
    """A Hugging Face Hub repository presented in a talk."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="repositories")
    kind = models.CharField(max_length=8, choices=[("model", _("Model")), ("dataset", _("Dataset"))])
    repo_id = models.CharField(max_length=193)

    class Meta:
        verbose_name = _("repository presented")
        verbose_name_plural = _("repositories presented")
        ordering = ["id"]
        indexes = [models.Index(fields=["repo_id"], name="meetup_talkrepo_repo_idx")]
        constraints = [models.UniqueConstraint(fields=["talk", "kind", "repo_id"], name="meetup_talkrepo_once")]


class CallForSpeakers(models.Model):
    """A chapter's open call: members propose talks until it closes."""

    chapter = models.OneToOneField(Chapter, on_delete=models.CASCADE, related_name="call_for_speakers")
    description = models.TextField(_("what we are looking for"), blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("call for speakers")
        verbose_name_plural = _("calls for speakers")


class CalendarFeed(models.Model):
    """The secret token of a member's personal calendar feed; resetting it kills the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetup_feed")
    token = models.CharField(max_length=40, unique=True, default=new_feed_token)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
