"""Headless Chromium for tests: screenshot (PNG) and print (PDF) a local HTML file, offline.

Debian's ``chromium`` package. Flags: ``--headless=new``; ``--no-sandbox`` (needed as root in
containers); a throw-away ``--user-data-dir``; every host name resolves to nothing
(``--host-resolver-rules``) and no proxy, so a page that tried to fetch anything would fail
to; bounded by a timeout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 90  # seconds per Chromium run
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SKIP_REASON = "chromium not installed: apt-get install chromium"


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def _run(html_path: Path, extra: list[str]) -> None:
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError(SKIP_REASON)
    with tempfile.TemporaryDirectory(prefix="peerpay-chromium-") as profile:
        cmd = [
            exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--disable-component-update", "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--hide-scrollbars", *extra, Path(html_path).resolve().as_uri(),
        ]
        subprocess.run(cmd, check=True, timeout=TIMEOUT, capture_output=True, cwd=profile)


def screenshot(html_path: Path, width: int = 1000, height: int = 1400) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page.png"
        _run(html_path, [f"--screenshot={out}", f"--window-size={width},{height}"])
        return out.read_bytes()


def print_pdf(html_path: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page.pdf"
        _run(html_path, [f"--print-to-pdf={out}", "--no-pdf-header-footer"])
        return out.read_bytes()


def pdf_page_count(pdf: bytes) -> int:
    """Count ``/Type /Page`` objects (not ``/Pages``); Chromium's PDFs are uncompressed enough for this."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def pixel_spread(png: bytes) -> float:
    """Standard deviation of grey levels (0-255): about 0 for a blank page."""
    import io

    from PIL import Image, ImageStat

    with Image.open(io.BytesIO(png)) as img:
        return ImageStat.Stat(img.convert("L")).stddev[0]


EXTERNAL_REF = re.compile(
    r"""(?:\b(?:src|href|srcset|action|poster|data|xlink:href)\s*=\s*["']?\s*(?:https?:|//))"""
    r"""|(?:url\(\s*["']?\s*(?:https?:|//))|(?:@import)""",
    re.IGNORECASE,
)


def external_references(html: str) -> list[str]:
    """Every src/href/url()/@import that points off the page (should be none)."""
    return [m.group(0) for m in EXTERNAL_REF.finditer(html)]


def overflowing_tables(html_path: Path, width: int = 1400, height: int = 1000) -> list[int]:
    """The indexes of the page's table boxes (``.table-wrap``) that scroll sideways at ``width`` pixels.

    A copy of the page gets a script that measures each box (scrollWidth beyond clientWidth) and
    writes the answer into the title; Chromium's ``--dump-dom`` prints the document after it ran.
    """
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError(SKIP_REASON)
    probe = ("<script>document.title='overflow:'+[...document.querySelectorAll('.table-wrap')]"
             ".map((e,i)=>e.scrollWidth>e.clientWidth+1?i:-1).filter(i=>i>=0).join(',')</script>")
    with tempfile.TemporaryDirectory(prefix="peerpay-chromium-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(Path(html_path).read_text(encoding="utf-8").replace("</body>", probe + "</body>"), encoding="utf-8")
        cmd = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={tmp}/profile",
               "--no-first-run", "--disable-extensions", "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--window-size={width},{height}", "--dump-dom", page.as_uri()]
        dom = subprocess.run(cmd, check=True, timeout=TIMEOUT, capture_output=True, text=True, cwd=tmp).stdout
    found = re.search(r"<title>overflow:([\d,]*)</title>", dom)
    if found is None:
        raise AssertionError("the probe did not run")
    return [int(i) for i in found.group(1).split(",") if i]
