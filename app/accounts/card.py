"""The member card as a barcode on a phone screen (/me): an inline SVG of the card number.

Drawn from app.barcodes' module pattern (EAN-13 for the café's 202… cards, Code 128 for an
imported card number), one SVG unit per module with the quiet zones, and scaled by CSS to
the phone's width: at 390 px the bars are about 3 px a module, which a desk scanner reads
off a screen.
"""

from markupsafe import Markup, escape

from app.barcodes import InvalidBarcode, bar_pattern

BAR_HEIGHT = 60  # in modules: a tall target for a hand-held scanner


def card_barcode_svg(code: str | None) -> Markup | None:
    """Return the card number as an SVG barcode, or None when it cannot be drawn."""
    if not code:
        return None
    try:
        pattern = bar_pattern(code)
    except InvalidBarcode:
        return None
    left, _right = pattern.quiet_zone
    width = pattern.width_modules
    bars = "".join(f'<rect x="{left + start}" y="0" width="{size}" height="{BAR_HEIGHT}"/>'
                   for start, size in pattern.runs())
    label = escape(code)
    # Markup: numbers only, and the escaped card number.
    return Markup(  # noqa: S704  # nosec B704
        f'<svg class="card-barcode" data-testid="card-barcode" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {BAR_HEIGHT}" preserveAspectRatio="none" '
        f'shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">'
        f'<rect width="{width}" height="{BAR_HEIGHT}" fill="#fff"/>'
        f'<g fill="#000">{bars}</g></svg>')
