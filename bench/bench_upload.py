"""Upload page speed: time from pasted text to the analysis on screen for a 1,500-word article (model loaded).

Prints medians over several trials for, in the same run:
  baseline  nlp(text)                      the bare spaCy pipeline on the text
  analyse   geolens.pipeline.analyse       pipeline + tidy tables
  page      Upload page, AppTest           paste -> press Analyse -> the page script has rendered the analysis
  browser   Upload page, chromium          paste -> press Analyse -> the highlighted text is visible (optional)
Target: the page figures under 2 s. Run:  python bench/bench_upload.py [--trials 7] [--no-browser] [--write]
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED = ROOT / "data" / "sample" / "japan_security_awakening.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
CHROMIUM = "/usr/bin/chromium"
WORDS = 1500


def article_texts(n: int) -> list[str]:
    """`n` different texts of about 1,500 words: the seed article topped up with Wikinews articles."""
    seed = SEED.read_text(encoding="utf-8")
    extra: list[str] = []
    for path in sorted(CORPUS.glob("wikinews_*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            extra.extend(r["text"] for r in csv.DictReader(fh) if len(r["text"].split()) > 150)
    if not extra:  # no ../shared: vary the seed itself
        extra = [seed]
    out = []
    for i in range(n):
        words = seed.split()
        j = i
        while len(words) < WORDS:
            words += extra[j % len(extra)].split()
            j += n
        out.append(" ".join(words[:WORDS]) + f" (trial {i}).")
    return out


def median_s(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} s"


def bench_library(texts: list[str]) -> dict[str, list[float]]:
    from geolens.ingest import from_text
    from geolens.nlp import get_pipeline
    from geolens.pipeline import analyse

    nlp = get_pipeline()
    nlp("warm up the pipeline")
    out: dict[str, list[float]] = {"baseline": [], "analyse": []}
    for t in texts:
        t0 = time.perf_counter()
        nlp(t)
        out["baseline"].append(time.perf_counter() - t0)
        art = from_text(t)
        t0 = time.perf_counter()
        analyse(art)
        out["analyse"].append(time.perf_counter() - t0)
    return out


def bench_page(texts: list[str], db: Path) -> list[float]:
    from streamlit.testing.v1 import AppTest

    os.environ["GEOLENS_DB"] = str(db)
    times = []
    for t in texts:
        at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=300)
        at.run()  # the model is loaded here (first time only), outside the timing
        at.text_area(key="upload:paste_text").set_value(t)
        at.button(key="upload:paste_go").click()
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception and at.dataframe, "the analysis did not render"
    return times


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_browser(texts: list[str], db: Path) -> list[float]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "GEOLENS_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    times = []
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for t in texts:
                ctx = browser.new_context()
                page = ctx.new_page()
                page.set_default_timeout(300_000)
                page.goto(base + "/upload")
                page.get_by_role("heading", name="Upload articles").wait_for()
                page.get_by_role("tab", name="Paste text").click()
                box = page.get_by_label("Article text (the first line")
                box.fill(t)
                t0 = time.perf_counter()
                page.get_by_role("button", name="Analyse text").click()
                page.locator(".gl-text").first.wait_for()
                times.append(time.perf_counter() - t0)
                ctx.close()
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    return times


def main() -> None:
    """Run the benchmark and print (optionally write) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=7)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()

    texts = article_texts(args.trials)
    n_words = statistics.median(len(t.split()) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        t_start = time.perf_counter()
        from geolens.nlp import get_pipeline

        get_pipeline()
        load = time.perf_counter() - t_start
        lib = bench_library(texts)
        page = bench_page(texts, Path(tmp) / "page.duckdb")
        browser = None
        if not args.no_browser and os.path.exists(CHROMIUM):
            # a separate server process: its first page load builds the model, not timed (fresh context per trial)
            browser = bench_browser(texts, Path(tmp) / "browser.duckdb")

    base = statistics.median(lib["baseline"])
    rows = [
        ("baseline: nlp(text)", lib["baseline"]),
        ("analyse(article)", lib["analyse"]),
        ("Upload page (AppTest run)", page),
    ]
    if browser:
        rows.append(("Upload page (chromium, click to text shown)", browser))
    lines = [
        f"article: {n_words:.0f} words, {args.trials} trials, model load {load:.1f} s (excluded), "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        "| measure | median | min | max | x baseline |",
        "|---|---|---|---|---|",
    ]
    for name, xs in rows:
        lines.append(
            f"| {name} | {median_s(xs)} | {min(xs):.3f} s | {max(xs):.3f} s | {statistics.median(xs) / base:.2f} |"
        )
    worst = max(statistics.median(xs) for _, xs in rows[2:])
    lines.append(f"target: analysis shown in < 2 s -> {'met' if worst < 2 else 'NOT met'} (slowest page median {worst:.2f} s)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
