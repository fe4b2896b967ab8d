from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationEvent(models.Model):
    """One thing that happened, recorded inside the transaction that caused it.

    The row is small whatever the audience: either the explicit recipient ids a service
    passed to `notify`, or an audience provider and its parameters (announcements).
    Workers expand it into `Notification` rows in batches, advancing `expanded_through`
    (the highest recipient id done) in the same transaction as each batch, so an
    interrupted expansion resumes where it stopped.
    """

    kind = models.SlugField(_("kind"), max_length=64)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # {language: [title, body]}, rendered once per site language when the event happens.
    texts = models.JSONField(default=dict)
    recipient_ids = models.JSONField(null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=64, blank=True)
    audience_params = models.JSONField(default=dict, blank=True)
    email = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker was last asked to expand it; the sweep asks again after a while.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    expanded_through = models.BigIntegerField(default=0)
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")
        indexes = [
            models.Index(
                fields=["enqueued_at"],
                condition=models.Q(expanded_at__isnull=True),
                name="notif_event_unexpanded_idx",
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class Notification(models.Model):
    """Something a member should know about, shown in the app and sent by e-mail."""

    event = models.ForeignKey(
        NotificationEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.SlugField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notif_recipient_unread_idx",
            ),
            # Who may get a digest: the unread notifications of the last days.
            models.Index(
                fields=["created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notif_unread_recent_idx",
            ),
        ]
        constraints = [
            # The in-app idempotency key: one notification per (event, recipient).
            models.UniqueConstraint(fields=["event", "recipient"], name="notif_event_recipient_uniq")
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}: {self.title}"


class Delivery(models.Model):
    """One notification sent through one channel; the unique key makes every send happen once.

    Deliveries are claimed (`sending`) a few at a time in a short transaction before the
    mail server is contacted, for a lease of `NOTIFICATION_CLAIM_LEASE_SECONDS`; the job
    records `data_sent_at` (renewing the lease) before the message's envelope, and marks it
    `sent` once the server accepted it, with the next message's `data_sent_at`.
    A lapsed lease means the job died: without `data_sent_at` nobody got the message and
    the sweep sends it again; with it the server may have taken it, so it is sent once more
    at most (`unconfirmed` counts such attempts) and then left failed for staff.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (recipient opted out)")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When a worker was (or will be, for a retry) asked to send it; the sweep re-asks later.
    queued_at = models.DateTimeField(_("queued at"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Until when the claiming job holds it; after that the sweep takes it back.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Set before the message's envelope in the current attempt: from then on the server may get it.
    data_sent_at = models.DateTimeField(null=True, blank=True)
    # Attempts whose data reached the server without an answer coming back.
    unconfirmed = models.PositiveSmallIntegerField(default=0, db_default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="notif_delivery_channel_uniq")
        ]
        indexes = [
            models.Index(
                fields=["status", "queued_at"],
                condition=models.Q(status__in=["pending", "sending", "failed"]),
                name="notif_delivery_open_idx",
            )
        ]

    def __str__(self):
        return f"{self.channel} {self.notification_id}: {self.status}"


class NotificationPreference(models.Model):
    """How a member wants one kind of notification beyond the site (in-app always stays).

    No row means the kind's default (`kinds.KINDS`), so only choices that differ from it
    are stored. The pseudo-kind `kinds.ALL_EMAIL` with mode `off` switches every e-mail off.
    """

    class Mode(models.TextChoices):
        EMAIL = "email", _("Each one by e-mail")
        DIGEST = "digest", _("In my digest")
        OFF = "off", _("Only on the site")

    # No index of its own: the unique (user, kind) index serves every lookup, which is
    # always by a batch of members and a few kinds.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=64)
    mode = models.CharField(_("channel"), max_length=8, choices=Mode.choices, default=Mode.EMAIL)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_user_kind_uniq")
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.mode}"


class DigestSchedule(models.Model):
    """How often a member gets the digest of what they have not read."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every morning")
        WEEKLY = "weekly", _("Monday mornings")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_schedule")
    frequency = models.CharField(_("digest"), max_length=8, choices=Frequency.choices, default=Frequency.DAILY)

    def __str__(self):
        return f"{self.user_id}: {self.frequency}"

    class Meta:
        verbose_name = _("digest schedule")
        verbose_name_plural = _("digest schedules")


class Digest(models.Model):
    """One digest e-mail per member and period: the unique key makes a second run a no-op."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=8, choices=DigestSchedule.Frequency.choices)
    # The member's local date that opens the period (the day, or the Monday).
    period = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    notification_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "frequency", "period"], name="notif_digest_period_uniq")
        ]

    def __str__(self):
        return f"{self.user_id} {self.frequency} {self.period}"


class ScheduledAnnouncement(models.Model):
    """An announcement an organiser wrote to go out later; `announcements_send_due` sends it
    once (the row is locked and marked sent in the transaction that records its event)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(_("audience"), max_length=64)
    audience_params = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    send_at = models.DateTimeField(_("send at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SCHEDULED)
    event = models.ForeignKey(NotificationEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled announcement")
        verbose_name_plural = _("scheduled announcements")
        indexes = [
            models.Index(fields=["send_at"], condition=models.Q(state="scheduled"), name="notif_sched_due_idx"),
            models.Index(fields=["audience", "state", "send_at"], name="notif_sched_audience_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.send_at:%Y-%m-%d %H:%M})"
