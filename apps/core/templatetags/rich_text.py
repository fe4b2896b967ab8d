from django import template

from apps.core.rich_text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source):
    """`{{ text|markdown }}`: user Markdown rendered and sanitised."""
    return render_markdown(source)
