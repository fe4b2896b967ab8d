from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.compute.models import AllocationRequest, Call, ExpectedOutput, Resource, ReviewerAssignment
from apps.compute.selectors import collaborator_addresses
from apps.compute.services.requests import Output, collaborators_from_emails


class RequestForm(forms.ModelForm):
    collaborators = forms.CharField(
        label=_("Collaborators"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: e-mail address, affiliation. People without an account yet join "
                    "the request when they sign up with that address."),
    )
    outputs = forms.CharField(
        label=_("Expected outputs on the Hub"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: model or dataset, repository id (owner/name), licence. "
                    "E.g. “model, bsc-lt/salamandra-7b-legal, apache-2.0”."),
    )

    file = forms.FileField(
        label=_("PDF attachment"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
        help_text=_("Optional: the technical annex or CVs as a PDF. You can add more files from the request page."),
    )

    class Meta:
        model = AllocationRequest
        fields = ["title", "applicant_affiliation", "abstract", "justification", "requested_units",
                  "desired_start", "duration_days", "data_management"]
        widgets = {
            "desired_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "abstract": forms.Textarea(attrs={"rows": 4}),
            "justification": forms.Textarea(attrs={"rows": 6}),
            "data_management": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["collaborators"] = "\n".join(
                f"{email}, {affiliation}" for email, affiliation in collaborator_addresses(self.instance))
            self.initial["outputs"] = "\n".join(
                f"{o.kind}, {o.repo_id}, {o.licence}" for o in self.instance.outputs.all())

    def clean_collaborators(self):
        """Addresses are checked for form only: whether one has an account is never said."""
        items = []
        for line in self.cleaned_data["collaborators"].splitlines():
            if not line.strip():
                continue
            email, _sep, affiliation = (part.strip() for part in line.partition(","))
            try:
                validate_email(email)
            except ValidationError:
                raise forms.ValidationError(
                    _("“%(email)s” is not an e-mail address."), params={"email": email[:100]}) from None
            items.append((email, affiliation))
        return collaborators_from_emails(items)

    def clean_outputs(self):
        result = []
        kinds = {str(label).lower(): value for value, label in ExpectedOutput.Kind.choices}
        kinds.update({v: v for v in ExpectedOutput.Kind.values})
        for line in self.cleaned_data["outputs"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 3:
                raise forms.ValidationError(_("Write each output as: kind, owner/name, licence."))
            result.append(Output(kinds.get(parts[0].lower(), parts[0]), parts[1], parts[2]))
        return result

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("PDF attachment"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UsageReportForm(forms.Form):
    """One period's usage of one grant, typed by an operator (the CSV import's line, as a form)."""

    grant = forms.ModelChoiceField(label=_("Project (grant)"), queryset=None)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    units = forms.DecimalField(label=_("Units used (GPU-hours or the resource's unit)"), min_value=0,
                               max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, grants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].queryset = grants
        self.fields["grant"].label_from_instance = lambda grant: (
            f"#{grant.request_id} · {grant.request.title} · {grant.request.call.resource.name} "
            f"({grant.start_date:%Y-%m-%d} – {grant.end_date:%Y-%m-%d})"
        )


class DecisionForm(forms.Form):
    ACTIONS = [
        ("approve", _("Approve now")),
        ("reject", _("Reject now")),
        ("changes", _("Ask for changes")),
        ("stage_approve", _("Stage approval")),
        ("stage_reject", _("Stage rejection")),
        ("unstage", _("Clear staged decision")),
    ]
    APPROVING = ("approve", "stage_approve")
    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS)
    units = forms.DecimalField(label=_("Units to grant"), required=False, min_value=0, max_digits=14,
                               decimal_places=2)
    note = forms.CharField(label=_("Note to the applicant"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        # An approval grants what the manager typed, never the full request by default.
        data = super().clean()
        if data.get("action") in self.APPROVING and data.get("units") is None:
            self.add_error("units", _("Type the units to grant."))
        return data


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=get_user_model().objects.none())

    def __init__(self, *args, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = call.reviewers.all()


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def text(self) -> str:
        raw = self.cleaned_data["file"].read(2 * 1024 * 1024 + 1)
        if len(raw) > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from error


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=ReviewerAssignment.Recommendation.choices[1:])
    comment = forms.CharField(label=_("Comment for the managers"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} (×{criterion.weight})", min_value=0, max_value=10,
                help_text=criterion.description,
            )
        self.order_fields([f"criterion_{c.pk}" for c in self.criteria] + ["recommendation", "comment"])

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


class ChangeRequestForm(forms.Form):
    extra_units = forms.DecimalField(label=_("Extra units"), required=False, min_value=0, max_digits=14,
                                     decimal_places=2)
    new_end_date = forms.DateField(label=_("New end date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewerProfileForm(forms.Form):
    affiliation = forms.CharField(label=_("Your affiliation"), max_length=200, required=False)


def _lines(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "\n").replace(";", "\n").splitlines() if part.strip()]


class CallForm(forms.Form):
    """Staff open or edit a call; people are named by e-mail or username, criteria one per line."""

    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.order_by("name"))
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(label=_("Address"), max_length=80, required=False,
                           help_text=_("Used in the call's URL; left empty, it is made from the title."))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}), help_text=_("Markdown."))
    eligibility = forms.CharField(label=_("Eligibility"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Markdown."))
    budget = forms.DecimalField(label=_("Total budget in units"), min_value=Decimal("0.01"), max_digits=14,
                                decimal_places=2)
    per_request_max = forms.DecimalField(label=_("Maximum per request"), min_value=Decimal("0.01"),
                                         max_digits=14, decimal_places=2)
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    review_deadline = forms.DateTimeField(label=_("Review deadline"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    criteria = forms.CharField(
        label=_("Review criteria"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name, weight. E.g. “Scientific merit, 3”."))
    managers = forms.CharField(label=_("Managers"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("E-mail addresses or usernames, one per line."))
    reviewers = forms.CharField(label=_("Reviewer panel"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("E-mail addresses or usernames, one per line."))
    blind_review = forms.BooleanField(label=_("Blind review"), required=False,
                                      help_text=_("Reviewers do not see the applicant's name or affiliation."))
    score_visibility = forms.ChoiceField(label=_("Reviewers see each other's scores"),
                                         choices=Call.ScoreVisibility.choices,
                                         initial=Call.ScoreVisibility.AFTER_OWN)

    def __init__(self, *args, call: Call | None = None, **kwargs):
        if call is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                **{name: getattr(call, name) for name in ("resource", "title", "slug", "description",
                                                          "eligibility", "budget", "per_request_max",
                                                          "blind_review", "score_visibility")},
                **{name: timezone.localtime(getattr(call, name)) for name in ("opens_at", "closes_at",
                                                                              "review_deadline")},
                "criteria": "\n".join(f"{c.name}, {c.weight}" for c in call.criteria.all()),
                "managers": "\n".join(u.email for u in call.managers.all()),
                "reviewers": "\n".join(u.email for u in call.reviewers.all()),
            }
        super().__init__(*args, **kwargs)
        if call is not None:
            del self.fields["slug"]  # the address is in links already sent: it never changes

    def clean_criteria(self):
        result = []
        for line in self.cleaned_data["criteria"].splitlines():
            if not line.strip():
                continue
            name, _sep, weight = line.rpartition(",")
            if not name.strip() or not weight.strip().isdigit():
                raise forms.ValidationError(_("Write each criterion as: name, weight (a whole number)."))
            result.append((name.strip(), int(weight)))
        return result

    def clean_managers(self):
        return _lines(self.cleaned_data["managers"])

    def clean_reviewers(self):
        return _lines(self.cleaned_data["reviewers"])
