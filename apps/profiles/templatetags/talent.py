"""Parts repeated many times on a talent page, written in Python: as `{% include %}`s (one
per result and one per facet option) they were about a quarter of the search's rendering,
and a result card as template markup was about half of a first-time search."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_noop

register = template.Library()


@register.simple_tag
def avatar(profile, size: str = "md"):
    """The profile's picture, or its initial on a coloured disc (hidden from screen readers:
    the name is next to it)."""
    if profile.avatar:
        return format_html(
            '<img class="avatar avatar-{}" src="{}" alt="" width="96" height="96" loading="lazy">',
            size, profile.avatar.url,
        )
    return format_html(
        '<span class="avatar avatar-{} avatar-initial" aria-hidden="true">{}</span>', size, profile.display_name[:1].upper()
    )


@register.simple_tag
def facet_option(group: dict, option: dict):
    """One checkbox of a facet with its count; a value no result holds is marked empty."""
    field_id = f"f-{group['name']}-{option['value']}"
    return format_html(
        '<div class="facet-option{}">\n'
        '  <input type="checkbox" id="{}" name="{}" value="{}"{} data-autosubmit-check>\n'
        '  <label for="{}">{} <span class="count">{}</span></label>\n'
        "</div>",
        "" if option["count"] else " is-empty", field_id, group["name"], option["value"],
        " checked" if option["checked"] else "", field_id, option["label"], intcomma(option["count"]),
    )


# The flags a card shows, in the order it shows them.
_CARD_FLAGS = (
    ("open_to_jobs", gettext_noop("Open to job offers")),
    ("open_to_collaboration", gettext_noop("Open to collaborations")),
    ("open_to_mentoring", gettext_noop("Open to mentoring")),
    ("looking_for_team", gettext_noop("Looking for a hackathon team")),
)


@register.simple_tag
def profile_card(profile):
    """One result of the talent pool: picture, name, where, skills (six), languages, flags.
    Skills and languages come from the prefetched lists of the page (no query per card)."""
    place = ""
    if profile.region:
        place = profile.region_label + (f" · {profile.city}" if profile.city else "")
    if profile.affiliation_name:
        place += f" · {profile.affiliation_name}"
    chips = format_html_join("", '<li class="chip">{}</li>', ((row.skill.label,) for row in profile.skills.all()[:6]))
    languages = format_html_join(
        "", '<li class="chip chip-language" title="{}">{}</li>',
        ((language.get_level_display(), language.code.upper()) for language in profile.languages.all()),
    )
    flags = format_html_join("", "<li>{}</li>", ((gettext(text),) for field, text in _CARD_FLAGS if getattr(profile, field)))
    headline = format_html('<p class="headline">{}</p>', profile.headline) if profile.headline else ""
    return format_html(
        '<li class="card profile-card" data-profile="{}">\n{}\n<div>\n'
        '<h3><a href="{}">{}</a></h3>\n{}\n<p class="muted">{}</p>\n'
        '<ul class="chips">{}{}</ul>\n<ul class="flags">{}</ul>\n</div>\n</li>',
        profile.handle, avatar(profile, "md"), reverse("profiles:detail", args=[profile.handle]),
        profile.display_name, headline, place, chips, languages, flags,
    )
