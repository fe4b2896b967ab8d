"""Check-in QR codes, drawn by segno."""

import io

import segno


def checkin_qr_svg(code: str) -> bytes:
    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind="svg", scale=8, border=2)
    return out.getvalue()
