"""What the compute navigation offers the person looking at it."""

from django import template

from apps.compute import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def compute_roles(context) -> dict:
    """Links to "My reviews" and the operator pages only for people who can use them."""
    return selectors.compute_roles(user=context["request"].user)
