"""QR codes, drawn by segno: check-in tickets, the big screen's "join the Q&A"."""

import io

import segno


def qr_svg(text: str, *, in_html: bool = False) -> bytes:
    """An SVG file, or (`in_html`) the same drawing for a page: no XML declaration, and a viewBox
    instead of a fixed size so CSS sizes it."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=not in_html, omitsize=in_html)
    return out.getvalue()
