"""The HTML report on a phone: it declares its language, names CJK fonts, and is no wider than a
400 px screen (wide tables scroll inside their own box). The last test measures it in headless
Chromium when one is installed (apt-get install chromium)."""

from __future__ import annotations

import re
import shutil
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


CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium")
def test_chromium_lays_it_out_in_400_px_without_overflow(page, tmp_path):
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
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
            "--window-size=600,800",
            "--dump-dom",
            (tmp_path / "phone.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    width = re.search(r"<title>width=(\d+)</title>", result.stdout)
    assert width, result.stdout[-500:] + result.stderr[-500:]
    assert int(width[1]) <= 400
