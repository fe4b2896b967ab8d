from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower, Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.profiles.choices import AffiliationKind, LanguageLevel, Listing, Region, SkillLevel, Visibility


class Skill(models.Model):
    """One entry of the curated skill taxonomy; staff edit it in the admin."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name (English)"), max_length=80)
    name_es = models.CharField(_("name (Spanish)"), max_length=80)
    category = models.CharField(_("category"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered to members"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the language of the current request."""
        return self.name_es if (get_language() or "").startswith("es") else self.name


class Profile(models.Model):
    """A member's talent profile: who they are, what they know and who may see it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # Unique case-insensitively through the Lower() constraint below, which lookups use.
    handle = models.SlugField(_("handle"), max_length=40, db_index=False)
    display_name = models.CharField(_("display name"), max_length=100)
    headline = models.CharField(_("headline"), max_length=160, blank=True)
    bio = models.TextField(_("about me"), blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    region = models.CharField(_("region"), max_length=2, choices=Region.choices, blank=True)
    country = models.CharField(_("country"), max_length=80, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    affiliation_name = models.CharField(_("organisation"), max_length=160, blank=True)
    affiliation_kind = models.CharField(
        _("kind of organisation"), max_length=16, choices=AffiliationKind.choices, blank=True
    )
    hf_username = models.CharField(_("Hugging Face username"), max_length=96, blank=True)
    github_username = models.CharField(_("GitHub username"), max_length=39, blank=True)
    # True only while the username is the one proven by logging in to that service
    # (apps.profiles.linked_accounts); a typed name is shown as unverified and never trusted.
    hf_verified = models.BooleanField(_("Hugging Face account verified"), default=False)
    github_verified = models.BooleanField(_("GitHub account verified"), default=False)
    orcid = models.CharField(_("ORCID iD"), max_length=19, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    open_to_jobs = models.BooleanField(_("open to job offers"), default=False)
    open_to_collaboration = models.BooleanField(_("open to collaborations"), default=False)
    open_to_mentoring = models.BooleanField(_("open to mentoring"), default=False)
    looking_for_team = models.BooleanField(_("looking for a hackathon team"), default=False)
    contactable = models.BooleanField(
        _("organisers may include me in talent exports"),
        default=False,
        help_text=_("Your name, headline, skills and profile link; never your e-mail address."),
    )
    visibility = models.CharField(
        _("who can see this profile"),
        max_length=8,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    # Who finds the profile in the talent pool and what it counts under in its facets
    # ("skill:nlp", "region:MD"…): facts of the row, kept by `services.talent_pool_refresh`
    # with the pool's counts (`TalentPoolCount`), so member lists, counts and facets are
    # served by indexes and never by a join across users and skills. No facet keys: the
    # profile is not counted yet.
    listed_for = models.CharField(max_length=8, choices=Listing.choices, default=Listing.NONE, editable=False)
    facet_keys = models.JSONField(null=True, editable=False)
    # Kept up to date by the service that saves the profile and its skills (PostgreSQL only).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="profiles_handle_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="profiles_visibility_valid",
            ),
        ]
        indexes = [
            # Each audience's list in its two orders, newest first and by name; staff see all.
            models.Index(
                F("updated_at").desc(), F("id").desc(), name="profiles_listed_public_recent",
                condition=models.Q(listed_for=Listing.PUBLIC),
            ),
            models.Index(
                F("updated_at").desc(), F("id").desc(), name="profiles_listed_member_recent",
                condition=models.Q(listed_for__in=[Listing.PUBLIC, Listing.MEMBERS]),
            ),
            models.Index(
                Lower("display_name"), "id", name="profiles_listed_public_name",
                condition=models.Q(listed_for=Listing.PUBLIC),
            ),
            models.Index(
                Lower("display_name"), "id", name="profiles_listed_member_name",
                condition=models.Q(listed_for__in=[Listing.PUBLIC, Listing.MEMBERS]),
            ),
            models.Index(F("updated_at").desc(), F("id").desc(), name="profiles_recent_idx"),
            models.Index(Lower("display_name"), name="profiles_name_lower_idx"),
            models.Index(fields=["region"], name="profiles_region_idx"),
            models.Index(fields=["affiliation_kind"], name="profiles_kind_idx"),
            models.Index(fields=["hf_username"], name="profiles_hf_username_idx"),
            # hf_username__iexact (UPPER(...) = UPPER(...)): the people behind a Hub repository.
            models.Index(Upper("hf_username"), name="profiles_hf_username_upper_idx"),
            # Created only on PostgreSQL by migration 0001 (SQLite has no GIN).
            GinIndex(fields=["search_vector"], name="profiles_search_gin"),
            # Skill and language filters (`facet_keys @> '["skill:nlp"]'`): intersected with a
            # search's words in the index, before any row is read (PostgreSQL only, 0008).
            GinIndex(OpClass("facet_keys", name="jsonb_path_ops"), name="profiles_facet_keys_gin"),
        ]

    def __str__(self):
        return f"{self.display_name} (@{self.handle})"

    def save(self, *args, **kwargs):
        """An ordinary save of an existing profile never writes `listed_for` and
        `facet_keys`: they belong to `services.talent_pool_refresh`, and a copy loaded
        before its last refresh would undo the pool's bookkeeping."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in ("listed_for", "facet_keys")
            ]
        super().save(*args, **kwargs)

    @property
    def region_label(self) -> str:
        if self.region == Region.OTHER_COUNTRY:
            return self.country or str(Region.OTHER_COUNTRY.label)
        return self.get_region_display()


class TalentPoolCount(models.Model):
    """How many profiles each audience finds in the talent pool, in all and per facet value.

    Moved by `services.talent_pool_refresh` in the transaction that changes a profile, so
    an unfiltered list's total and facets are one indexed read, exact at once."""

    class Audience(models.TextChoices):
        ANONYMOUS = "anonymous", _("Visitors")
        MEMBER = "member", _("Members")
        STAFF = "staff", _("Staff")

    audience = models.CharField(max_length=10, choices=Audience.choices)
    key = models.CharField(max_length=80)  # "total" or a facet key such as "skill:nlp"
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("talent pool count")
        verbose_name_plural = _("talent pool counts")
        constraints = [
            models.UniqueConstraint(fields=["audience", "key"], name="profiles_pool_count_once"),
        ]


class ProfileSkill(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="profile_skills")
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices)

    class Meta:
        verbose_name = _("profile skill")
        verbose_name_plural = _("profile skills")
        ordering = ["-level", "skill__position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="profiles_skill_once"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3), name="profiles_skill_level_range"
            ),
        ]
        indexes = [models.Index(fields=["skill", "profile"], name="profiles_skill_profile_idx")]


class ProfileLanguage(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language"), max_length=2)
    level = models.CharField(_("level"), max_length=12, choices=LanguageLevel.choices)

    class Meta:
        verbose_name = _("profile language")
        verbose_name_plural = _("profile languages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="profiles_language_once"),
        ]
        indexes = [models.Index(fields=["code", "profile"], name="profiles_lang_profile_idx")]

    @property
    def name(self) -> str:
        from apps.profiles.choices import language_name

        return language_name(self.code)


class ContactRequest(models.Model):
    """A member asks to get in touch; the profile owner accepts with a reply or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_requests_sent"
    )
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="contact_requests"
    )
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "profile"],
                condition=models.Q(status="pending"),
                name="profiles_one_pending_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["profile", "status", "-created_at"], name="profiles_contact_inbox_idx"),
            models.Index(fields=["sender", "-created_at"], name="profiles_contact_sent_idx"),
        ]


class FirstSteps(models.Model):
    """A new member's guided setup after confirming their e-mail: the steps they went through
    (saved or skipped) and when the last one was; accounts older than it have no row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="first_steps"
    )
    passed = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("first steps")
        verbose_name_plural = _("first steps")

    def __str__(self):
        return f"{self.user_id}: {', '.join(self.passed)}"
