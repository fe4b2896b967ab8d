"""Parts repeated many times on a talent page, written in Python: as `{% include %}`s (one
per result and one per facet option) they were about a quarter of the search's rendering."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html

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
