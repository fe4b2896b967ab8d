from allauth.account import forms as allauth_forms
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


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up form, with the handle explained: it is what other members see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        handle = self.fields["username"]
        handle.label = _("Public handle")
        handle.help_text = _(
            "How other members see and mention you until you set a display name, e.g. “ana-garcia”. "
            "3 to 40 letters, digits or hyphens. Your e-mail address is never shown to them."
        )
        handle.widget.attrs.update(placeholder="ana-garcia", autocomplete="nickname", maxlength="40")
