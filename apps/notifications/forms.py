"""Forms of the notification pages, also used by the guided first steps of new members."""

from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy

from apps.core.errors import ApplicationError
from apps.core.forms import add_service_errors
from apps.notifications import selectors, services
from apps.notifications.kinds import GROUPS, KINDS, kinds_by_group
from apps.notifications.models import DigestSchedule, NotificationPreference


def _mode_field_name(kind: str) -> str:
    return "mode-" + kind.replace(".", "-")


class EmailSettingsForm(forms.Form):
    email_enabled = forms.BooleanField(
        label=gettext_lazy("Send me notifications by e-mail"),
        required=False,
        help_text=gettext_lazy("Untick to stop every e-mail. You still see everything here."),
    )
    digest = forms.ChoiceField(label=gettext_lazy("My digest arrives"), choices=DigestSchedule.Frequency.choices)
    time_zone = forms.ChoiceField(
        label=gettext_lazy("My time zone"),
        help_text=gettext_lazy("Digests arrive in your morning."),
        choices=[(zone, zone) for zone in sorted(available_timezones())],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        for kind in KINDS.values():
            self.fields[_mode_field_name(kind.key)] = forms.ChoiceField(
                label=kind.label, choices=NotificationPreference.Mode.choices
            )

    def kind_sections(self) -> list[tuple[str, list]]:
        """(heading, bound fields) per group, in the order of the settings table."""
        return [
            (GROUPS[group], [self[_mode_field_name(kind.key)] for kind in kinds])
            for group, kinds in kinds_by_group().items()
        ]

    def modes(self) -> dict[str, str]:
        return {kind: self.cleaned_data[_mode_field_name(kind)] for kind in KINDS}

    def add_service_errors(self, error: ApplicationError) -> None:
        """Show a service's field errors next to their fields (`modes.<kind>` → that kind's choice)."""
        by_field = {
            _mode_field_name(key.removeprefix("modes.")) if key.startswith("modes.") else key: field_messages
            for key, field_messages in error.errors.items()
        }
        add_service_errors(self, ApplicationError(error.message, errors=by_field))

    @classmethod
    def for_member(cls, user, data=None):
        """The form with the member's current settings."""
        current = selectors.email_settings(user=user)
        initial = {key: current[key] for key in ("email_enabled", "digest", "time_zone")}
        initial.update({_mode_field_name(kind): mode for kind, mode in current["modes"].items()})
        return cls(data, initial=initial)

    def save(self, user) -> bool:
        """Store a valid form's choices; False with the service's errors on the form if refused."""
        try:
            services.email_settings_update(
                user=user,
                email_enabled=self.cleaned_data["email_enabled"],
                modes=self.modes(),
                digest=self.cleaned_data["digest"],
                time_zone=self.cleaned_data["time_zone"],
            )
        except ApplicationError as error:
            self.add_service_errors(error)
            return False
        return True
