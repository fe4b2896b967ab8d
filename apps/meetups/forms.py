"""Forms of the meetups pages; services validate again and their errors land next to fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import TIMEZONES, as_wall_clock, in_time_zone, local_field, refuse_past

from apps.meetups.models import LANGUAGES, MAX_QUESTIONS, Event
from apps.meetups.services import event_schedule_errors
from apps.profiles.choices import Region


class EventFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("Any"))] + Region.choices, required=False)
    chapter = forms.SlugField(label=_("Chapter"), required=False)
    mode = forms.ChoiceField(
        label=_("Format"), required=False,
        choices=[("", _("Any")), ("in_person", _("In person")), ("online", _("Online"))],
    )
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("Any"))] + LANGUAGES, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RsvpForm(forms.Form):
    guests = forms.IntegerField(label=_("Guests you bring"), min_value=0, initial=0, required=False)
    share_data = forms.BooleanField(
        label=_("Share my name and e-mail with the organisers (attendee export)"), required=False
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if not event.max_guests:
            del self.fields["guests"]
        else:
            self.fields["guests"].max_value = event.max_guests
        for question in event.questions.all():
            self.fields[f"question_{question.id}"] = forms.CharField(
                label=question.text, required=question.required, max_length=1000
            )

    def answers(self) -> dict:
        return {
            name.removeprefix("question_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("question_")
        }


LOCAL_TIMES = ("starts_at", "ends_at", "rsvp_deadline")


class EventForm(forms.ModelForm):
    """Times are typed as wall-clock time in the event's own time zone."""

    online_url = forms.URLField(label=_("Stream or video-call URL"), required=False, assume_scheme="https")
    timezone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIMEZONES], initial="Europe/Madrid")
    starts_at = local_field(_("Starts"))
    ends_at = local_field(_("Ends"))
    rsvp_deadline = local_field(_("RSVP deadline"), required=False)
    cover = forms.FileField(
        label=_("Cover image"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("JPEG, PNG, WebP or GIF, up to 5 MB. We store a resized copy without its metadata."),
    )
    questions = forms.CharField(
        label=_("Registration questions"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, at most %(n)d; end a line with * to make it required.") % {"n": MAX_QUESTIONS},
    )

    class Meta:
        model = Event
        fields = [
            "chapter", "title", "description", "timezone", "starts_at", "ends_at", "venue", "address",
            "online_url", "address_visibility", "languages", "tags", "join_policy", "capacity", "rsvp_deadline",
            "max_guests", "waitlist_mode", "offer_hours",
        ]

    def __init__(self, *args, chapters=None, **kwargs):
        instance = kwargs.get("instance")
        if instance is not None and instance.pk:
            kwargs["initial"] = {name: as_wall_clock(getattr(instance, name), instance.tz) for name in LOCAL_TIMES}
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters
        if self.instance.pk:
            del self.fields["chapter"]
            self.fields["questions"].initial = "\n".join(
                q.text + ("*" if q.required else "") for q in self.instance.questions.all()
            )

    def clean(self):
        time_zone = self.cleaned_data.get("timezone") or "Europe/Madrid"
        cleaned = in_time_zone(super().clean(), LOCAL_TIMES, time_zone)
        for name, field_errors in event_schedule_errors(cleaned).items():
            for message in field_errors:
                self.add_error(name, message)
        # A draft is published later: its dates must still be ahead (an event already out keeps its past).
        if self.instance.pk is None or self.instance.state == Event.State.DRAFT:
            refuse_past(self, LOCAL_TIMES, time_zone)
        return cleaned

    def question_list(self) -> list[dict]:
        lines = [line.strip() for line in self.cleaned_data.get("questions", "").splitlines() if line.strip()]
        return [{"text": line.rstrip("*").strip(), "required": line.endswith("*")} for line in lines]

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data.get(name) for name in self.Meta.fields if name in self.fields and name != "chapter"}
        return fields | {"cover": self.cleaned_data.get("cover") or None}


class TalkForm(forms.Form):
    """Organisers put a talk on the agenda; the start is wall-clock time in the event's zone."""

    title = forms.CharField(label=_("Title"), max_length=200)
    speakers = forms.CharField(label=_("Speakers (usernames, separated by spaces)"), max_length=500)
    starts_at = local_field(_("Starts"), required=False)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600, initial=20)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    abstract = forms.CharField(label=_("Abstract"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    repositories = forms.CharField(
        label=_("Hub repositories presented"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("owner/name, one per line; prefix datasets/ for a dataset."),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean(self):
        return in_time_zone(super().clean(), ["starts_at"], self.event.timezone)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"], "abstract": data.get("abstract", ""), "language": data["language"],
            "starts_at": data.get("starts_at"), "duration_minutes": data["duration_minutes"],
            "repositories": parse_repositories(data.get("repositories", "")),
        }


class TalkProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    abstract = forms.CharField(label=_("Abstract"), widget=forms.Textarea(attrs={"rows": 5}))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=180, initial=20)
    repositories = forms.CharField(
        label=_("Hub repositories you present"), required=False,
        help_text=_("owner/name, one per line; prefix datasets/ for a dataset."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def repository_list(self) -> list[dict]:
        return parse_repositories(self.cleaned_data.get("repositories", ""))


def parse_repositories(text: str) -> list[dict]:
    items = []
    for line in (line.strip() for line in text.splitlines() if line.strip()):
        kind, _sep, rest = line.partition("/")
        if kind == "datasets" and rest:
            items.append({"kind": "dataset", "repo_id": rest})
        else:
            items.append({"kind": "model", "repo_id": line})
    return items
