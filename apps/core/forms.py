"""Form pieces shared by the apps' pages: service errors next to fields, posted ids, and
times typed as wall-clock time in an event's own time zone."""

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError, InvalidInput

TIMEZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def add_service_errors(form, exc: ApplicationError, *, sections=()) -> dict[str, list[str]]:
    """Put a service's messages on a form, the one way every page does it.

    Each message goes next to its field; those for `sections` (parts of the page that are
    no form field, such as a list of skills) are returned for the page to show there; per-line
    keys of an uploaded file (`"line 3"`) go on top as "Line 3: …" under the summary; the rest
    go on top. The summary is shown when nothing more precise says what went wrong.
    """
    by_line = any(key.startswith("line ") for key in exc.errors)
    if not exc.errors or by_line:
        form.add_error(None, str(exc.message))
    by_section = {}
    for key, messages in exc.errors.items():
        for message in messages:
            if key in form.fields:
                form.add_error(key, message)
            elif key in sections:
                by_section.setdefault(key, []).append(message)
            elif key.startswith("line "):
                form.add_error(None, _("Line %(number)s: %(message)s") % {"number": key[5:], "message": message})
            else:
                form.add_error(None, message)
    return by_section


def form_page_status(exc: ApplicationError) -> int:
    """The status of a form page shown again with a service's refusal: 200 for input to fix, as when
    the form itself finds it; otherwise the refusal's own (403, 409…), as the API answers."""
    return 200 if isinstance(exc, InvalidInput) else exc.status_code


def posted_id(value) -> int:
    """A posted id; anything that is not a positive number matches nothing (404, not 500)."""
    value = str(value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 18 else 0


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_INPUT, **kwargs)


def local_field(label, **kwargs):
    # Naive on purpose: the value is wall-clock time in the event's own time zone.
    return forms.DateTimeField(label=label, widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT], **kwargs)


def as_wall_clock(moment, tz: zoneinfo.ZoneInfo):
    """An aware datetime shown as the naive wall-clock time of `tz` (form initial values)."""
    return timezone.localtime(moment, tz).replace(tzinfo=None) if moment else None


def in_time_zone(data: dict, names, time_zone: str | None) -> dict:
    """Read the typed times in `names` as wall-clock time in `time_zone` (in place)."""
    tz = zoneinfo.ZoneInfo(time_zone or "Europe/Madrid")
    for name in names:
        value = data.get(name)
        if value is not None:
            naive = timezone.make_naive(value) if timezone.is_aware(value) else value
            data[name] = timezone.make_aware(naive, tz)
    return data


def refuse_past(form, names, time_zone: str) -> None:
    """Dates of an event still to be published must be ahead: say so next to each date,
    with the time it is now where the event happens (typed times are read there)."""
    now = timezone.now()
    for name in names:
        value = form.cleaned_data.get(name)
        if value is not None and value <= now:
            form.add_error(name, _("This date has passed: it is %(now)s now in %(zone)s.") % {
                "now": date_format(as_wall_clock(now, zoneinfo.ZoneInfo(time_zone)), "DATETIME_FORMAT"),
                "zone": time_zone,
            })
