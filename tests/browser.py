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
#: Measures what a reader sees in a page shown in an iframe ``frame`` of the chosen width (the page
#: itself carries no script; headless Chromium will not open a window under 500 px, an iframe can be
#: any width, and a ``srcdoc`` frame is same-origin): the viewport, horizontal overflow, every shown
#: chart text's rendered size and box, every drawn line's box, the headlines' and table cells' boxes.
#: Written into a <pre> that --dump-dom prints.
MEASURE_JS = r"""
function peerpayMeasure(win, doc) {
  function box(el) { var r = el.getBoundingClientRect(); return [r.left, r.top + win.scrollY, r.right, r.bottom + win.scrollY]; }
  function shown(el) { var s = win.getComputedStyle(el); return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0; }
  var svgs = Array.prototype.filter.call(doc.querySelectorAll('figure svg'), shown);
  var charts = svgs.map(function (svg) {
    var scale = svg.getScreenCTM() ? svg.getScreenCTM().a : 1;
    return {
      cls: svg.getAttribute('class') || '',
      box: box(svg),
      texts: Array.prototype.map.call(svg.querySelectorAll('text'), function (t) {
        return {text: t.textContent, cls: t.getAttribute('class') || '', px: parseFloat(win.getComputedStyle(t).fontSize) * scale, box: box(t)};
      }),
      lines: Array.prototype.map.call(svg.querySelectorAll('line'), function (l) {
        return {cls: l.getAttribute('class') || 'grid', box: box(l)};
      }),
      rects: svg.querySelectorAll('rect').length
    };
  });
  var cells = Array.prototype.filter.call(doc.querySelectorAll('main td, main th, .headline, .caveat'), shown).map(function (c) {
    return {tag: c.tagName, cls: c.className, text: c.textContent, label: c.getAttribute('data-label') || '', box: box(c)};
  });
  return {width: win.innerWidth, height: win.innerHeight, scrollWidth: doc.documentElement.scrollWidth,
          pageHeight: doc.documentElement.scrollHeight, charts: charts, cells: cells};
}
var frame = document.getElementById('frame');
frame.onload = function () {
  var pre = document.createElement('pre'); pre.id = 'peerpay-measure';
  pre.textContent = JSON.stringify(peerpayMeasure(frame.contentWindow, frame.contentDocument));
  document.body.appendChild(pre);
};
"""


def measure(html_path: Path, width: int, height: int = 900) -> dict:
    """What a reader sees of ``html_path`` in a viewport ``width`` x ``height`` CSS px, measured in the
    DOM by :data:`MEASURE_JS` (the page is shown in an iframe of that size; the page has no script)."""
    import html as _html
    import json

    page = Path(html_path).read_text(encoding="utf-8")
    outer = (f"<!DOCTYPE html><html><body style=\"margin:0\"><iframe id=\"frame\" style=\"width:{width}px;height:{height}px;border:0\" "
             f"srcdoc=\"{_html.escape(page, quote=True)}\"></iframe><script>{MEASURE_JS}</script></body></html>")
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError(SKIP_REASON)
    with tempfile.TemporaryDirectory(prefix="peerpay-chromium-") as profile:
        copy = Path(profile) / "measure.html"
        copy.write_text(outer, encoding="utf-8")
        cmd = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={profile}/p",
               "--no-first-run", "--disable-extensions", "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--hide-scrollbars", f"--window-size={max(width, 800) + 50},{height + 50}", "--virtual-time-budget=5000", "--dump-dom",
               copy.as_uri()]
        dom = subprocess.run(cmd, check=True, timeout=TIMEOUT, capture_output=True, cwd=profile).stdout.decode("utf-8")
    found = re.search(r'<pre id="peerpay-measure">(.*?)</pre>', dom, re.S)
    if not found:
        raise AssertionError("the measuring script did not run")
    return json.loads(_html.unescape(found.group(1)))


def longest_blank_band(png: bytes, top: int = 0, bottom: int | None = None) -> int:
    """The tallest run of rows (px) between ``top`` and ``bottom`` that are all near-white: a blank band."""
    import io

    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        grey = np.asarray(img.convert("L"), dtype="int16")
    rows = (grey[top:bottom] < 235).sum(axis=1) == 0
    best = run = 0
    for blank in rows:
        run = run + 1 if blank else 0
        best = max(best, run)
    return best
