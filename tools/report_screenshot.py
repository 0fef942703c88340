"""Take the screenshots of the HTML report that docs/figures.md shows: the report of the demo team, as
headless Chromium draws it, scrolled to the trends and the funnel chart.

    python tools/report_screenshot.py            # writes docs/img/report-charts.png and report-funnel-zh-Hant.png

Needs `chromium` (Debian's package). The report itself has no script: the page that frames it does the
scrolling.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAME = """<!DOCTYPE html><html><body style="margin:0;overflow:hidden">
<iframe id="f" src="report.html" scrolling="no" style="width:800px;height:8000px;border:0"></iframe>
<script>document.getElementById('f').onload = function () {
  var hs = this.contentDocument.getElementsByTagName('h2');
  for (var i = 0; i < hs.length; i++) if (hs[i].textContent.indexOf(%r) === 0)
    this.style.marginTop = (12 - hs[i].getBoundingClientRect().top) + 'px';
};</script></body></html>"""
SHOTS = {"en": ("report-charts.png", "Trends"), "zh-Hant": ("report-funnel-zh-Hant.png", "漏斗")}


def main() -> None:
    chromium = shutil.which("chromium") or sys.exit("needs chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SALESCTL_NOW": "2026-11-30T09:00:00", "NO_COLOR": "1"}
        db = f"{tmp}/demo.db"
        salesctl = [sys.executable, "-m", "salesctl"]
        subprocess.run([*salesctl, "demo", "--db", db], env=env, check=True, capture_output=True)
        for lang, (name, heading) in SHOTS.items():
            html = subprocess.run(
                [*salesctl, "--db", db, "--lang", lang, "report", "--format", "html"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            Path(tmp, "report.html").write_text(html, encoding="utf-8")
            Path(tmp, "frame.html").write_text(FRAME % heading, encoding="utf-8")
            out = ROOT / "docs" / "img" / name
            subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",
                    "--allow-file-access-from-files",
                    "--virtual-time-budget=5000",
                    "--window-size=800,440",
                    f"--screenshot={out}",
                    Path(tmp, "frame.html").as_uri(),
                ],
                check=True,
                capture_output=True,
            )
            print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
