"""The account area's sub-navigation, for pages of several apps (allauth's included)."""

from django import template

from apps.accounts.navigation import account_sections as sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def account_sections(context) -> list[dict]:
    return sections_for(context["request"])
