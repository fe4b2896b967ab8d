from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import TIMEZONES, as_wall_clock, in_time_zone, local_field, refuse_past
from apps.core.images import image_too_large_message, image_within_limit
from apps.hackathons.models import Hackathon, SubmissionRepository
from apps.hackathons.services.lifecycle import SCHEDULE_FIELDS
from apps.hackathons.services.submissions import is_valid_repo_id

MAX_COVER_BYTES = 5 * 1024 * 1024


class HackathonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    summary = forms.CharField(label=_("Summary"), max_length=280, help_text=_("One or two sentences for the list."))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}), required=False, help_text=_("Markdown."))
    rules = forms.CharField(label=_("Rules"), widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text=_("Markdown."))
    prizes = forms.CharField(label=_("Prizes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=_("Markdown."))
    cover_image = forms.ImageField(label=_("Cover image"), required=False)
    tracks = forms.CharField(
        label=_("Tracks or challenges"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("One per line. You can add more later."),
    )
    languages = forms.CharField(label=_("Languages of the event"), max_length=60, initial="es", help_text=_("Language codes, comma separated, e.g. es, en, ca."))
    format = forms.ChoiceField(label=_("Format"), choices=Hackathon.Format.choices)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIMEZONES], initial="Europe/Madrid")
    join_policy = forms.ChoiceField(label=_("Who may register"), choices=Hackathon.JoinPolicy.choices)
    allowed_email_domains = forms.CharField(label=_("Allowed e-mail domains"), max_length=300, required=False, help_text=_("Only for “Limited to e-mail domains”. Comma separated."))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100_000, required=False, help_text=_("Empty for no limit; later registrations go to a waitlist."))
    min_team_size = forms.IntegerField(label=_("Minimum team size"), min_value=1, max_value=100, initial=1)
    max_team_size = forms.IntegerField(label=_("Maximum team size"), min_value=1, max_value=100, initial=4)
    registration_opens_at = local_field(_("Registration opens"))
    registration_closes_at = local_field(_("Registration closes"))
    hacking_starts_at = local_field(_("Hacking starts"))
    hacking_ends_at = local_field(_("Hacking ends (submission deadline)"))
    judging_ends_at = local_field(_("Judging ends"))
    results_at = local_field(_("Results announced"))

    def __init__(self, *args, hackathon: Hackathon | None = None, **kwargs):
        # A draft is published later, and publishing refuses dates already past: say so here,
        # next to the date, rather than on the dashboard when "Publish" fails.
        self.require_future = hackathon is None or hackathon.state == Hackathon.State.DRAFT
        if hackathon is not None:
            initial = {name: getattr(hackathon, name) for name in self.base_fields if hasattr(hackathon, name)}
            for name in SCHEDULE_FIELDS:
                initial[name] = as_wall_clock(getattr(hackathon, name), hackathon.tz)
            initial.pop("cover_image", None)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if hackathon is not None:
            del self.fields["tracks"]
        for name in SCHEDULE_FIELDS:
            self.fields[name].help_text = _("In the hackathon's time zone.")

    def clean_cover_image(self):
        image = self.cleaned_data.get("cover_image")
        if image and image.size > MAX_COVER_BYTES:
            raise forms.ValidationError(_("The image is too large (5 MB at most)."))
        if image and getattr(image, "image", None) is not None and not image_within_limit(image.image):
            raise forms.ValidationError(image_too_large_message())
        return image

    def clean(self):
        time_zone = self.cleaned_data.get("timezone") or "UTC"
        cleaned = in_time_zone(super().clean(), SCHEDULE_FIELDS, time_zone)
        if self.require_future:
            refuse_past(self, SCHEDULE_FIELDS, time_zone)
        return cleaned

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("tracks", None)
        if not data.get("cover_image"):
            data.pop("cover_image", None)
        data["description"] = data.get("description", "")
        return data

    def track_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("tracks", "").splitlines() if line.strip()]


class RegistrationForm(forms.Form):
    motivation = forms.CharField(label=_("Why do you want to take part?"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    looking_for = forms.CharField(
        label=_("Skills / what I'm looking for"), max_length=300, required=False,
        help_text=_("Shown on the “looking for a team” board while you have no team."),
    )
    agreed = forms.BooleanField(label=_("I accept the rules and the participation agreement of this hackathon."), required=False)


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=80)


class JoinByCodeForm(forms.Form):
    invite_code = forms.CharField(label=_("Invite code"), max_length=24)


class InviteForm(forms.Form):
    handle = forms.CharField(label=_("Handle of the person to invite"), max_length=150)


def _repo_lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


class SubmissionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown."))
    models = forms.CharField(label=_("Hugging Face models"), widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("One owner/name per line."))
    datasets = forms.CharField(label=_("Hugging Face datasets"), widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("One owner/name per line."))
    spaces = forms.CharField(label=_("Hugging Face Spaces"), widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("One owner/name per line."))
    source_url = forms.URLField(label=_("Source repository URL"), required=False, assume_scheme="https")
    video_url = forms.URLField(label=_("Demo video URL"), required=False, assume_scheme="https")

    KIND_FIELDS = {"models": SubmissionRepository.Kind.MODEL, "datasets": SubmissionRepository.Kind.DATASET, "spaces": SubmissionRepository.Kind.SPACE}

    @classmethod
    def initial_for(cls, submission) -> dict:
        if submission is None:
            return {}
        initial = {f: getattr(submission, f) for f in ("title", "description", "source_url", "video_url")}
        for field, kind in cls.KIND_FIELDS.items():
            initial[field] = "\n".join(r.repo_id for r in submission.repositories.all() if r.kind == kind)
        return initial

    def _clean_repo_ids(self, field):
        bad = [r for r in _repo_lines(self.cleaned_data.get(field, "")) if not is_valid_repo_id(r)]
        if bad:
            raise forms.ValidationError(
                _("Not a Hugging Face repository id of the form owner/name: %(ids)s") % {"ids": ", ".join(bad)}
            )
        return self.cleaned_data[field]

    def clean_models(self):
        return self._clean_repo_ids("models")

    def clean_datasets(self):
        return self._clean_repo_ids("datasets")

    def clean_spaces(self):
        return self._clean_repo_ids("spaces")

    def repositories(self) -> list[tuple[str, str]]:
        return [(kind, repo) for field, kind in self.KIND_FIELDS.items() for repo in _repo_lines(self.cleaned_data.get(field, ""))]


class ScorecardForm(forms.Form):
    """One score and comment per rubric criterion."""

    def __init__(self, *args, criteria, scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        existing = {s.criterion_id: s for s in scores or []}
        for c in self.criteria:
            self.fields[f"criterion_{c.id}"] = forms.IntegerField(
                label=_("%(name)s (0–%(max)s, weight %(weight)s)") % {"name": c.name, "max": c.max_score, "weight": c.weight},
                min_value=0, max_value=c.max_score, help_text=c.description,
                initial=existing[c.id].value if c.id in existing else None,
            )
            self.fields[f"comment_{c.id}"] = forms.CharField(
                label=_("Comment on %(name)s") % {"name": c.name}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing[c.id].comment if c.id in existing else "",
            )

    def pairs(self):
        return [(self[f"criterion_{c.id}"], self[f"comment_{c.id}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int, str]]:
        return {c.id: (self.cleaned_data[f"criterion_{c.id}"], self.cleaned_data.get(f"comment_{c.id}", "")) for c in self.criteria}


class TransitionForm(forms.Form):
    action = forms.CharField()
    reason = forms.CharField(required=False)


class DecisionForm(forms.Form):
    registration = forms.IntegerField()
    approve = forms.BooleanField(required=False)
    reason = forms.CharField(required=False, max_length=500)


class TrackForm(forms.Form):
    name = forms.CharField(label=_("Track name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=120)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)
    max_score = forms.IntegerField(label=_("Maximum score"), min_value=1, max_value=1000, initial=10)
    description = forms.CharField(label=_("What judges look for"), required=False)


class HandleForm(forms.Form):
    handle = forms.CharField(label=_("Handle"), max_length=150)


class InviteEmailsForm(forms.Form):
    emails = forms.CharField(label=_("E-mail addresses allowed to register"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One per line."))
