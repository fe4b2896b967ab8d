"""`{% shared_fragment fragment %}…{% endshared_fragment %}`: see apps/core/fragments.py."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, fragment):
        self.nodelist, self.fragment = nodelist, fragment

    def render(self, context):
        fragment = self.fragment.resolve(context)
        if fragment is None:  # a page that shares nothing this time
            return self.nodelist.render(context)
        return mark_safe(fragment.render(lambda: str(self.nodelist.render(context))))


@register.tag("shared_fragment")
def shared_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("shared_fragment takes one argument: the SharedFragment")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, parser.compile_filter(bits[1]))
