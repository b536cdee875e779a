"""Decode the barcodes in a PDF the way a scanner would see a printout.

``decode_pdf`` rasterises every page with poppler's ``pdftoppm`` and reads
every barcode with zxing-cpp. Reusable by any test that gets a PDF (label
sheets, member cards, API and browser downloads).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

import zxingcpp
from PIL import Image

MM_PER_INCH = 25.4


class Decoded(NamedTuple):
    """One barcode found on a page: text, centre in pixels, zxing format name."""

    text: str
    x_px: float
    y_px: float
    format: str


def rasterise_pdf(pdf_bytes: bytes, dpi: int = 300, *, png: bool = False) -> list[Image.Image]:
    """Return every page of ``pdf_bytes`` as a greyscale PIL image at ``dpi``.

    Same rasteriser as ``pdftoppm -r 300 -png``; by default the pages come out
    as uncompressed PGM, which is the same pixels about seven times faster.
    """
    ext = "png" if png else "pgm"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf_bytes)
        cmd = [
            "pdftoppm",
            "-r",
            str(dpi),
            "-gray",
            *(["-png"] if png else []),
            str(src),
            str(Path(tmp) / "page"),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        files = sorted(Path(tmp).glob(f"page-*.{ext}"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        images = []
        for f in files:
            with Image.open(f) as im:
                im.load()
                images.append(im.copy())
        return images


def decode_image(image: Image.Image, **options) -> list[Decoded]:
    """Return every barcode zxing-cpp finds in ``image``, roughly top to bottom, left to right.

    ``try_downscale`` is off unless asked for: on a clean 300 dpi raster the
    downscaled copies zxing also scans alias 4-pixel modules and now and then
    yield a second, wrong EAN-13 that happens to pass the check digit.
    """
    options.setdefault("try_downscale", False)
    found = []
    for r in zxingcpp.read_barcodes(image, **options):
        p = r.position
        xs = (p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x)
        ys = (p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y)
        found.append(Decoded(r.text, sum(xs) / 4, sum(ys) / 4, r.format.name))
    return sorted(found, key=lambda d: (round(d.y_px), d.x_px))


def decode_pdf(pdf_bytes: bytes, dpi: int = 300, **options) -> list[list[Decoded]]:
    """Return, page by page, the barcodes decoded from ``pdf_bytes`` rasterised at ``dpi``."""
    return [decode_image(page, **options) for page in rasterise_pdf(pdf_bytes, dpi)]


def px_to_mm(px: float, dpi: int = 300) -> float:
    """Convert a pixel coordinate at ``dpi`` to millimetres."""
    return px * MM_PER_INCH / dpi


def pattern_image(
    modules: str, quiet: tuple[int, int] = (10, 10), scale: int = 3, height: int = 40
) -> Image.Image:
    """Draw a module string ("1" = bar) as a clean greyscale image, ``scale`` px per module."""
    mods = "0" * quiet[0] + modules + "0" * quiet[1]
    im = Image.new("L", (len(mods) * scale, height), 255)
    for i, m in enumerate(mods):
        if m == "1":
            im.paste(0, (i * scale, 0, (i + 1) * scale, height))
    return im


def decode_modules(modules: str, quiet: tuple[int, int] = (10, 10)) -> list[tuple[str, str]]:
    """Decode a module string directly: [(text, format name), ...]."""
    return [(d.text, d.format) for d in decode_image(pattern_image(modules, quiet))]
