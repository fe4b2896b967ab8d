from django import forms
from django.utils.translation import gettext_lazy as _

from apps.hub.models import HubOwner, HubRepository
from apps.hub.selectors import SEARCH_MAX_LENGTH, clean_search


class SearchField(forms.CharField):
    """Free text that never invalidates the filters: NUL bytes dropped, stripped, cut to the maximum length."""

    def to_python(self, value):
        return clean_search(super().to_python(value))


class CatalogueFilterForm(forms.Form):
    q = SearchField(label=_("Search by name"), required=False, max_length=SEARCH_MAX_LENGTH)
    kind = forms.ChoiceField(label=_("Show"), choices=HubRepository.Kind.choices, required=False)
    owner = forms.CharField(label=_("Owner"), required=False)
    language = forms.CharField(label=_("Language"), required=False, max_length=16)
    task = forms.CharField(label=_("Task"), required=False, max_length=100)
    licence = forms.CharField(label=_("Licence"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[("downloads", _("Downloads (30 days)")), ("likes", _("Likes")),
                 ("growth", _("Growth in the last month")), ("recent", _("Recently updated"))],
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kind": data.get("kind") or HubRepository.Kind.MODEL,
            "owner": data.get("owner") or None,
            "language": data.get("language") or None,
            "task": data.get("task") or None,
            "licence": data.get("licence") or None,
            "sort": data.get("sort") or "downloads",
            "q": data.get("q") or None,
        }


class OwnerAddForm(forms.Form):
    name = forms.CharField(label=_("Hub name"), max_length=96,
                           help_text=_("As in the address: huggingface.co/<name>"))
    kind = forms.ChoiceField(label=_("Kind"), choices=HubOwner.Kind.choices)
    display_name = forms.CharField(label=_("Display name"), max_length=200, required=False)
