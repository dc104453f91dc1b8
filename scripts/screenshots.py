"""Full-page screenshots of every dashboard page at 1400 and 1000 px wide, into docs/screenshots/.

    GEOLENS_DB=/tmp/corpus.duckdb python scripts/screenshots.py --label corpus
    python scripts/screenshots.py --label sample --pages overview map --widths 1000
    python scripts/screenshots.py --label corpus --pages themes --widths 1400 --cvd deuteranopia protanopia

Starts `streamlit run app.py --server.headless true --server.port P` on the database GEOLENS_DB names (the
default database otherwise), opens each page in headless Chromium and saves `<label>-<page>-<width>.png`.
Streamlit scrolls inside its own container, so the viewport is grown to the page's full height before the shot.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

PAGES = ["overview", "map", "themes", "relations", "excerpts", "article", "compare", "upload"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The scrolling element of a Streamlit app (1.67) and, as fallbacks, its outer containers.
SCROLLERS = '[data-testid="stMain"], [data-testid="stAppViewContainer"], section.main'


def page_height(page) -> int:
    """The full height of the page's content: the tallest scroll height among Streamlit's containers."""
    return int(page.evaluate(
        """(sel) => Math.max(document.documentElement.scrollHeight,
                 ...Array.from(document.querySelectorAll(sel)).map(e => e.scrollHeight))""", SCROLLERS))


def settle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the page has a title, Streamlit has stopped running and the charts are drawn."""
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout_ms)
    page.wait_for_timeout(2500)  # plotly draws after the script run ends


def shoot(base_url: str, out: Path, label: str, pages: list[str], widths: list[int], query: str = "") -> list[Path]:
    """Save one full-page PNG per page and width; returns the files written."""
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for width in widths:
                for name in pages:
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.goto(f"{base_url}/{name}{'?' + query if query else ''}")
                    try:
                        settle(page)
                    except Exception as exc:  # a page that never settles is still worth a look
                        print(f"{name} at {width}px did not settle: {exc}", file=sys.stderr)
                    h = page_height(page)
                    page.set_viewport_size({"width": width, "height": min(max(h, 900), 16_000)})
                    page.wait_for_timeout(1500)  # charts resize to the new viewport
                    h = page_height(page)
                    page.set_viewport_size({"width": width, "height": min(max(h, 900), 16_000)})
                    page.wait_for_timeout(800)
                    path = out / f"{label}-{name}-{width}.png"
                    page.screenshot(path=str(path), full_page=True)
                    written.append(path)
                    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {width}x{h}")
                    page.close()
        finally:
            browser.close()
    return written


def simulate_cvd(png: Path, cvd: str, out: Path) -> Path:
    """Write `png` as seen with a colour-vision deficiency (Machado et al. 2009, components.palette matrices)."""
    import numpy as np
    from PIL import Image

    from components.palette import CVD_MATRICES

    rgb = np.asarray(Image.open(png).convert("RGB"), dtype=np.float64) / 255
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    sim = np.clip(lin @ CVD_MATRICES[cvd].T, 0, 1)
    srgb = np.where(sim <= 0.0031308, 12.92 * sim, 1.055 * sim ** (1 / 2.4) - 0.055)
    Image.fromarray((srgb * 255 + 0.5).astype(np.uint8)).save(out)
    return out


def main(argv: list[str] | None = None) -> int:
    """Start the app on GEOLENS_DB and screenshot the pages."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="sample", help="file name prefix, e.g. sample or corpus")
    ap.add_argument("--pages", nargs="+", default=None, help=f"pages (default: those present of {PAGES})")
    ap.add_argument("--widths", nargs="+", type=int, default=[1400, 1000])
    ap.add_argument("--query", default="", help="query string for every page, e.g. country=JPN")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--cvd", nargs="*", default=[], choices=["deuteranopia", "protanopia", "tritanopia"],
                    help="also write each shot as seen with these colour-vision deficiencies (<name>.<cvd>.png)")
    args = ap.parse_args(argv)
    pages = args.pages or [p for p in PAGES if (ROOT / "pages" / f"{p}.py").exists()]
    args.out.mkdir(parents=True, exist_ok=True)
    from appserver import streamlit_app

    from geolens.store import default_db_path

    db = Path(os.environ.get("GEOLENS_DB") or default_db_path())
    with streamlit_app(db, args.out / ".server.log", timeout=180) as url:
        shots = shoot(url, args.out, args.label, pages, args.widths, args.query)
    for png in shots:
        for cvd in args.cvd:
            print(simulate_cvd(png, cvd, png.with_suffix(f".{cvd}.png")).name)
    (args.out / ".server.log").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
