from django.contrib import admin

from apps.hackathons import models


class TrackInline(admin.TabularInline):
    model = models.Track
    extra = 0


class CriterionInline(admin.TabularInline):
    model = models.RubricCriterion
    extra = 0


@admin.register(models.Hackathon)
class HackathonAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "format", "hacking_starts_at", "results_published_at")
    list_filter = ("state", "format", "join_policy")
    search_fields = ("title", "slug")
    filter_horizontal = ("organisers",)
    raw_id_fields = ("created_by",)
    # The lifecycle moves only through services, so its log stays complete.
    readonly_fields = ("state", "results_published_at")
    inlines = [TrackInline, CriterionInline]


@admin.register(models.HackathonTransition)
class HackathonTransitionAdmin(admin.ModelAdmin):
    list_display = ("hackathon", "from_state", "to_state", "actor", "created_at")
    list_filter = ("to_state",)
    raw_id_fields = ("hackathon", "actor")


@admin.register(models.Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("user", "hackathon", "status", "created_at", "checked_in_at")
    list_filter = ("status",)
    search_fields = ("user__email", "user__username")
    raw_id_fields = ("user", "hackathon", "decided_by")


class MembershipInline(admin.TabularInline):
    model = models.TeamMembership
    extra = 0
    raw_id_fields = ("user", "hackathon")


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "hackathon", "created_at")
    search_fields = ("name",)
    raw_id_fields = ("hackathon", "created_by")
    inlines = [MembershipInline]


@admin.register(models.Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "track", "hackathon", "updated_at")
    search_fields = ("title", "repositories__repo_id")
    raw_id_fields = ("hackathon", "team", "track", "submitted_by")


@admin.register(models.Judge)
class JudgeAdmin(admin.ModelAdmin):
    list_display = ("user", "hackathon", "created_at")
    raw_id_fields = ("user", "hackathon", "invited_by")
