from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           help_text=_("What it is for, e.g. “usage reports script”."))
    lifetime_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, initial=lambda: settings.API_TOKEN_LIFETIME_DAYS,
    )


class LoginLinkForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
