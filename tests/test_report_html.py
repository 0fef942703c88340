"""The HTML report on a phone: it declares its language, names CJK fonts, and is no wider than a
400 px screen (wide tables scroll inside their own box). Headless Chromium (apt-get install
chromium; .ci/run installs it) measures the layout and the funnel chart."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.test_figures import build_history


@pytest.fixture
def page(ok, db):
    build_history(db)
    ok("rep", "add", "欧阳建国")
    ok("add", "上海浦东国际物流集团有限公司", "--owner", "欧阳建国", "--value", "1.25m", "--key")
    return ok("report", "--week", "--format", "html").out


def test_the_page_declares_its_language_and_a_cjk_font_stack(page):
    assert re.search(r'<html lang="en">', page)
    stacks = set(re.findall(r"font-family:([^;\"]+)", page))
    assert stacks, "every block names its fonts (mail clients drop <style>)"
    for stack in stacks:
        assert "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC'" in stack and stack.endswith(
            "sans-serif"
        )


def test_nothing_is_wider_than_a_phone(page):
    assert 'name="viewport" content="width=device-width' in page
    fixed = [int(px) for px in re.findall(r"(?<![-a-z])width:(\d+)px", page)]
    assert all(px <= 360 for px in fixed), fixed  # 400 px less the page's padding
    assert "table-layout:fixed" in page  # the page's box does not grow with a wide table…
    assert page.count('<div style="overflow-x:auto') >= 5  # …which scrolls inside its own box
    assert "2026-11-16</span> – <span" in page  # dates in the title never break at a hyphen


def measure(chromium: str, frame, title: str, width: int) -> re.Match:
    """Open `frame` (a page whose script measures the report in an iframe and puts the figures in its
    title) in headless Chromium; the match of `title` in the laid-out page."""
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
            f"--window-size={width},800",
            "--dump-dom",
            frame.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(title, result.stdout)
    assert found, result.stdout[-500:] + result.stderr[-500:]
    return found


def test_chromium_lays_it_out_in_400_px_without_overflow(page, tmp_path, chromium):
    (tmp_path / "report.html").write_text(page, encoding="utf-8")
    # Headless windows are at least 500 px wide, so the page goes in a 400 px frame and reports its width.
    (tmp_path / "phone.html").write_text(
        '<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="report.html" '
        'style="width:400px;height:3000px;border:0"></iframe><script>'
        "document.getElementById('f').onload = function () {"
        " var d = this.contentDocument; document.title = 'width=' + d.documentElement.scrollWidth; };"
        "</script></body></html>",
        encoding="utf-8",
    )
    width = measure(chromium, tmp_path / "phone.html", r"<title>width=(\d+)</title>", width=600)
    assert int(width[1]) <= 400


# --- the funnel in the report (docs/figures.md, The funnel in the report) -----------------------------


def test_the_report_carries_the_funnel_of_the_91_days_to_its_end(ok, db):
    build_history(db)
    doc = ok("report", "--since", "2026-11-01", "--until", "2026-12-01", "--format", "json")
    funnel = doc["funnel"]
    # The cohort is every lead of the worked example (created 10-01 … 11-23, all within 09-01 … 11-30):
    # November's six (figures.md, The funnel) plus October's L8 and L1, which reached every stage.
    assert (funnel["since"][:10], funnel["until"][:10]) == ("2026-09-01", "2026-12-01")
    assert funnel["cohort"] == 8
    assert [s["reached"] for s in funnel["stages"]] == [8, 6, 5, 4, 3, 3]
    assert (funnel["won"], funnel["lost"], funnel["open"]) == (3, 2, 3)
    # A period ending tomorrow at 00:00 (the clock says 2026-11-26) has the very cohort `funnel` takes by default.
    week = ok("report", "--since", "2026-11-20", "--until", "2026-11-27", "--format", "json")
    assert week["funnel"] == ok("funnel", "--format", "json")


def test_the_funnel_shows_in_every_format_of_the_report(ok, db):
    build_history(db)
    span = ("--since", "2026-11-01", "--until", "2026-12-01")
    heading = "Funnel: 8 lead(s) created 2026-09-01 – 2026-11-30, where they stand now"
    table = ok("report", *span).out
    assert heading in table
    assert re.search(r"^contacted\s+█+.* 6 \(75%\)$", table, re.M)
    html = ok("report", *span, "--format", "html").out
    assert heading in html and html.count("height:18px") == 6  # one centred bar per stage
    zh = ok("--lang", "zh-Hant", "report", *span).out
    assert "漏斗：2026-09-01 – 2026-11-30 建立的 8 個客戶" in zh and "已聯繫" in zh


def test_a_report_without_new_leads_has_no_funnel_section(ok):
    ok("rep", "add", "alice")
    assert "Funnel:" not in ok("report", "--week").out
    assert "Funnel:" not in ok("report", "--week", "--format", "html").out


def test_chromium_draws_the_funnel_narrowing_and_centred(ok, db, tmp_path, chromium):
    build_history(db)
    page = ok("report", "--since", "2026-11-01", "--until", "2026-12-01", "--format", "html").out
    (tmp_path / "report.html").write_text(page, encoding="utf-8")
    # The report has no script; this frame measures each stage's bar as the browser laid it out.
    (tmp_path / "measure.html").write_text(
        '<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="report.html" '
        'style="width:800px;height:6000px;border:0"></iframe><script>'
        "document.getElementById('f').onload = function () {"
        " var d = this.contentDocument, out = [], hs = d.getElementsByTagName('h2');"
        " for (var i = 0; i < hs.length; i++) if (hs[i].textContent.indexOf('Funnel') === 0) {"
        "  var rows = hs[i].nextElementSibling.getElementsByTagName('table')[0].rows;"
        "  for (var r = 1; r < rows.length; r++) {"
        "   var cell = rows[r].cells[1].getBoundingClientRect(),"
        "       bar = rows[r].cells[1].querySelector('td[style*=background]').getBoundingClientRect();"
        "   out.push([Math.round(bar.width), Math.round(bar.left - cell.left),"
        "             Math.round(cell.right - bar.right)].join(':')); } }"
        " document.title = 'bars=' + out.join(','); };"
        "</script></body></html>",
        encoding="utf-8",
    )
    found = measure(
        chromium, tmp_path / "measure.html", r"<title>bars=([\d:,]+)</title>", width=900
    )
    bars = [tuple(map(int, b.split(":"))) for b in found[1].split(",")]
    widths = [w for w, _left, _right in bars]
    assert (
        len(widths) == 6 and widths == sorted(widths, reverse=True) and widths[0] > widths[-1] > 0
    )
    # Each bar's width follows the share that reached the stage (8, 6, 5, 4, 3, 3 of 8)…
    for w, reached in zip(widths, (8, 6, 5, 4, 3, 3), strict=True):
        assert abs(w / widths[0] - reached / 8) < 0.05
    # …and sits in the middle of its row: a funnel, not a bar chart.
    assert all(abs(left - right) <= 2 for _w, left, right in bars)
