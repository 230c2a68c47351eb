"""Draw the application icon: assets/icon.png (256 px) and assets/icon.ico (16-256 px).

Run once when the icon changes (needs Pillow, which the app itself does not use):
    python build/make_icon.py
The generated files are committed, so building the app never needs Pillow.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
BLUE = (20, 84, 140, 255)       # deep blue tile
PAPER = (255, 255, 255, 255)
LINE = (165, 190, 214, 255)
GREEN = (46, 160, 67, 255)


def draw(size: int = 1024) -> Image.Image:
    s = size / 256  # design on a 256 grid, drawn 4x larger and shrunk for smooth edges
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([8 * s, 8 * s, 248 * s, 248 * s], radius=44 * s, fill=BLUE)
    # a sheet of paper with a folded corner
    x0, y0, x1, y1, fold = 62 * s, 40 * s, 194 * s, 216 * s, 34 * s
    d.polygon([(x0, y0), (x1 - fold, y0), (x1, y0 + fold), (x1, y1), (x0, y1)], fill=PAPER)
    d.polygon([(x1 - fold, y0), (x1 - fold, y0 + fold), (x1, y0 + fold)], fill=LINE)
    # rows of the return
    for i in range(4):
        y = (84 + i * 26) * s
        d.rounded_rectangle([84 * s, y, 172 * s, y + 10 * s], radius=5 * s, fill=LINE)
    # a tick: the return is ready
    d.ellipse([128 * s, 140 * s, 220 * s, 232 * s], fill=GREEN, outline=PAPER, width=int(8 * s))
    d.line([(150 * s, 187 * s), (168 * s, 205 * s), (199 * s, 166 * s)], fill=PAPER, width=int(13 * s), joint="curve")
    return img


def main() -> None:
    big = draw()
    assets = ROOT / "assets"
    assets.mkdir(exist_ok=True)
    png = big.resize((256, 256), Image.LANCZOS)
    png.save(assets / "icon.png", optimize=True)
    sizes = [(n, n) for n in (16, 20, 24, 32, 40, 48, 64, 128, 256)]
    png.save(assets / "icon.ico", sizes=sizes)
    print(f"wrote {assets / 'icon.png'} and {assets / 'icon.ico'}")


if __name__ == "__main__":
    main()
