"""Page forms: they only parse input; the services validate and save."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.profiles.choices import (
    ISO_639_1, MAIN_LANGUAGES, LanguageLevel, SkillLevel, language_choices,
)
from apps.profiles.models import Profile

PROFILE_FIELDS = [
    "handle", "display_name", "headline", "bio", "region", "country", "city",
    "affiliation_name", "affiliation_kind", "hf_username", "github_username", "orcid",
    "website", "open_to_jobs", "open_to_collaboration", "open_to_mentoring",
    "looking_for_team", "contactable", "visibility",
]
AVAILABILITY_FIELDS = ["open_to_jobs", "open_to_collaboration", "open_to_mentoring", "looking_for_team"]
EXTRA_LANGUAGE_ROWS = 3
HELP = {
    "handle": _("Your address on the platform: /talent/<handle>/."),
    "bio": _("Markdown: **bold**, _italics_, lists and links."),
    "orcid": _("For example 0000-0002-1825-0097."),
    "country": _("Only when you live outside Spain."),
    "hf_username": _("Log in with Hugging Face from your account's connected accounts to verify it; "
                     "a name only typed here is shown as unverified and its repositories are not linked to you."),
    "github_username": _("Log in with GitHub from your account's connected accounts to verify it."),
}


class ProfileForm(forms.Form):
    """The profile page: fields of the model, one level per skill, languages with level.

    `only` keeps a part of it (field names, "skills", "languages") for one step of the guided
    first steps; the parts left out are not changed when it is saved."""

    def __init__(self, *args, profile: Profile, skills, only=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_skills = only is None or "skills" in only
        self.has_languages = only is None or "languages" in only
        if not self.has_skills:
            skills = []
        for name in PROFILE_FIELDS if only is None else [name for name in PROFILE_FIELDS if name in only]:
            model_field = Profile._meta.get_field(name)
            # A plain text box for the website: the service checks the scheme itself.
            field = (
                forms.CharField(label=capfirst(model_field.verbose_name), required=False)
                if name == "website" else model_field.formfield()
            )
            field.help_text = HELP.get(name, field.help_text)
            field.validators = []  # the service checks and normalises every value
            self.fields[name] = field
            self.initial.setdefault(name, getattr(profile, name))
        if "visibility" in self.fields:
            self.fields["visibility"].widget = forms.RadioSelect(choices=self.fields["visibility"].choices)
        if "bio" in self.fields:
            self.fields["bio"].widget.attrs["rows"] = 8

        level_choices = [("", _("—"))] + list(SkillLevel.choices)
        current_skills = {row.skill.slug: row.level for row in profile.skills.all()}
        self.skill_fields = []
        for skill in skills:
            name = f"skill__{skill.slug}"
            self.fields[name] = forms.TypedChoiceField(
                label=skill.label, choices=level_choices, required=False, coerce=int, empty_value=None
            )
            self.initial.setdefault(name, current_skills.get(skill.slug, ""))
            self.skill_fields.append(name)

        self.main_language_fields, self.other_language_rows = [], []
        if self.has_languages:
            self._add_language_fields(profile)
        if only is None:
            self.fields["avatar"] = forms.FileField(
                label=_("Avatar"), required=False,
                help_text=_("JPEG, PNG, WebP or GIF, up to 2 MB. We crop it to a square."),
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
            )
            self.fields["remove_avatar"] = forms.BooleanField(label=_("Remove my avatar"), required=False)

    def _add_language_fields(self, profile: Profile) -> None:
        language_levels = [("", _("—"))] + list(LanguageLevel.choices)
        current_languages = {row.code: row.level for row in profile.languages.all()}
        main_codes = [code for code, _label in MAIN_LANGUAGES]
        self.main_language_fields = []
        for code, label in MAIN_LANGUAGES:
            name = f"language__{code}"
            self.fields[name] = forms.ChoiceField(label=label, choices=language_levels, required=False)
            self.initial.setdefault(name, current_languages.get(code, ""))
            self.main_language_fields.append(name)
        others = [(c, lvl) for c, lvl in current_languages.items() if c not in main_codes]
        other_codes = [("", _("— language —"))] + [
            (code, label) for code, label in language_choices() if code not in main_codes
        ]
        self.other_language_rows = []
        for i in range(len(others) + EXTRA_LANGUAGE_ROWS):
            code_name, level_name = f"other_language_{i}", f"other_language_level_{i}"
            self.fields[code_name] = forms.ChoiceField(
                label=_("Other language"), choices=other_codes, required=False
            )
            self.fields[level_name] = forms.ChoiceField(
                label=_("Level"), choices=language_levels, required=False
            )
            if i < len(others):
                self.initial.setdefault(code_name, others[i][0])
                self.initial.setdefault(level_name, others[i][1])
            self.other_language_rows.append((code_name, level_name))

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS if name in self.fields}

    def skills_data(self) -> list[dict] | None:
        if not self.has_skills:
            return None
        return [
            {"skill": name.removeprefix("skill__"), "level": self.cleaned_data[name]}
            for name in self.skill_fields
            if self.cleaned_data.get(name)
        ]

    def languages_data(self) -> list[dict] | None:
        if not self.has_languages:
            return None
        rows = [
            {"code": name.removeprefix("language__"), "level": self.cleaned_data[name]}
            for name in self.main_language_fields
            if self.cleaned_data.get(name)
        ]
        for code_name, level_name in self.other_language_rows:
            code, level = self.cleaned_data.get(code_name), self.cleaned_data.get(level_name)
            if code and code in ISO_639_1:
                rows.append({"code": code, "level": level or None})
        return rows


class ContactRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"), max_length=2000, min_length=10,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say who you are and why you get in touch. Your e-mail address is never shown."),
    )


class ContactReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your reply"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How they can reach you: a link, a meeting time or an address of your choice."),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
