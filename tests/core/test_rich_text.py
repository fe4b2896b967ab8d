from django.template import Context, Template

from apps.core.rich_text import render_markdown


def test_markdown_keeps_formatting_and_links():
    html = render_markdown("**NLP** en [euskera](https://example.org/eu)\n\n- uno\n- dos")
    assert "<strong>NLP</strong>" in html
    assert '<a href="https://example.org/eu" rel="nofollow noopener ugc">euskera</a>' in html
    assert "<li>uno</li>" in html


def test_scripts_handlers_and_javascript_links_are_removed():
    html = render_markdown(
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        "[clic](javascript:alert(3)) <b onclick=\"x()\">negrita</b>"
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<b>negrita</b>" in html


def test_template_filter_renders_sanitised_html():
    rendered = Template("{% load rich_text %}{{ bio|markdown }}").render(
        Context({"bio": "_hola_ <iframe src='https://evil.example'></iframe>"})
    )
    assert "<em>hola</em>" in rendered
    assert "<iframe" not in rendered
