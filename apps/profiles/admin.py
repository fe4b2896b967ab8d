from django.contrib import admin

from apps.profiles import services
from apps.profiles.models import ContactRequest, Profile, ProfileLanguage, ProfileSkill, Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "name_es", "slug", "category", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("name", "name_es", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "name_es"} & set(form.changed_data):
            services.skill_taxonomy_changed(skill_ids=[obj.pk])  # keep search in step


class ProfileSkillInline(admin.TabularInline):
    model = ProfileSkill
    extra = 0
    autocomplete_fields = ("skill",)


class ProfileLanguageInline(admin.TabularInline):
    model = ProfileLanguage
    extra = 0


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Read-mostly for moderation; members edit their profiles through the service."""

    list_display = ("handle", "display_name", "visibility", "region", "affiliation_kind", "updated_at")
    list_filter = ("visibility", "region", "affiliation_kind", "open_to_jobs", "open_to_mentoring")
    search_fields = ("handle", "display_name", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [ProfileSkillInline, ProfileLanguageInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.profile_reindex(profile=form.instance)


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = ("sender", "profile", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("sender", "profile")
