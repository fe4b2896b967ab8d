"""The page in the other site languages: `hreflang` alternates and the switcher's way back."""

from django import template

from apps.core import languages

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[dict]:
    request = context.get("request")
    return languages.language_alternates(request) if request is not None else []


@register.simple_tag(takes_context=True)
def path_without_language(context) -> str:
    """Where the switcher returns to: this page, without a `?lang=` that would override the choice."""
    request = context.get("request")
    return languages.path_in_language(request, None) if request is not None else ""
