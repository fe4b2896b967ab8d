"""User-written Markdown, rendered to HTML that is safe to show to anyone."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
MAX_SOURCE_LENGTH = 20_000


def render_markdown(source: str, *, tags: set[str] = ALLOWED_TAGS) -> SafeString:
    """Markdown to sanitised HTML: no scripts, styles, event handlers or unsafe links.

    `tags` narrows the allowed elements further (chat messages allow no headings or tables).
    """
    html = markdown.markdown(
        (source or "")[:MAX_SOURCE_LENGTH], extensions=["tables", "sane_lists", "fenced_code"]
    )
    clean = nh3.clean(
        html,
        tags=tags,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
