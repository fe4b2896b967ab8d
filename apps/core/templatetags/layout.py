"""`{% per_language value… %}…{% endper_language %}`: a part of the site layout rendered once per
process for each language (and each value given), then reused by every request.

The header, navigation, language switcher and footer are the same for everyone who reads a
language, yet rendering them (URLs reversed, strings translated, static paths) was most of a
signed-in page's own work. Only what depends on nothing but the language and the values
named goes inside: never the person (name, unread count, roles), the path or a CSRF token.
The values must come from a small set (the current section), as each one keeps a copy.
"""

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_rendered: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget_rendered(**kwargs):
    _rendered.clear()


class PerLanguageNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist, self.values = nodelist, values

    def render(self, context):
        key = (self, get_language(), get_urlconf(), get_script_prefix(), *(v.resolve(context) for v in self.values))
        html = _rendered.get(key)
        if html is None:
            html = _rendered[key] = mark_safe(self.nodelist.render(context))
        return html


@register.tag("per_language")
def per_language(parser, token):
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist, values)
