"""A fake camera for the browser tests: barcodes drawn as a picture, then as a Y4M video.

Chromium plays the file as its camera (`--use-fake-device-for-media-stream
--use-file-for-fake-video-capture=FILE`), looping. The bars come from app.barcodes (the
labels' own patterns); an ISBN's 5-digit add-on (부가기호), which python-barcode cannot
draw, is encoded here from the EAN-5 tables.
"""

from pathlib import Path

from PIL import Image, ImageDraw

from app.barcodes import bar_pattern

WIDTH, HEIGHT = 640, 480
MODULE = 3  # pixels per module: 113 + 47 modules fit in 640 px with quiet zones
# EAN-5: each digit's L and G codes, and which of the five are G, by the checksum.
L_CODES = ["0001101", "0011001", "0010011", "0111101", "0100011",
           "0110001", "0101111", "0111011", "0110111", "0001011"]
G_CODES = ["0100111", "0110011", "0011011", "0100001", "0011101",
           "0111001", "0000101", "0010001", "0001001", "0010111"]
EAN5_PARITY = ["GGLLL", "GLGLL", "GLLGL", "GLLLG", "LGGLL",
               "LLGGL", "LLLGG", "LGLGL", "LGLLG", "LLGLG"]
ADD_ON_GAP = 9  # modules between the EAN-13 and its add-on (7 to 12 allowed)


def ean5_modules(digits: str) -> str:
    """Return the bar modules of a 5-digit EAN add-on."""
    d = [int(c) for c in digits]
    checksum = (3 * (d[0] + d[2] + d[4]) + 9 * (d[1] + d[3])) % 10
    parts = []
    for digit, parity in zip(d, EAN5_PARITY[checksum], strict=True):
        parts.append((L_CODES if parity == "L" else G_CODES)[digit])
    return "1011" + "01".join(parts)


def barcode_image(code: str, add_on: str = "") -> Image.Image:
    """Draw a code (EAN-13 or Code 128, as a label has it), with an add-on, on white."""
    modules = bar_pattern(code).modules
    if add_on:
        modules += "0" * ADD_ON_GAP + ean5_modules(add_on)
    image = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    left = (WIDTH - len(modules) * MODULE) // 2
    top, bottom = HEIGHT // 4, HEIGHT * 3 // 4
    for i, bit in enumerate(modules):
        if bit == "1":
            x = left + i * MODULE
            draw.rectangle([x, top, x + MODULE - 1, bottom], fill=0)
    return image


def write_y4m(path: Path, image: Image.Image, frames: int = 10, fps: int = 10) -> Path:
    """Write a still picture as a short greyscale Y4M video (4:2:0, neutral chroma)."""
    image = image.convert("L").resize((WIDTH, HEIGHT))
    luma = image.tobytes()
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def camera_flags(video: Path) -> list[str]:
    """Return Chromium's flags for a fake camera that shows `video` (and asks no one)."""
    return ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]
