"""Remake the README's screenshot: the Listen tab after clicking the first example, bundled models, laptop size.

Launches ``app.py`` on a free loopback port, opens it in headless Debian Chromium (Playwright), clicks the example
"synthesised cry 7s", waits for the answer and saves ``docs/images/app.png``. Needs ``/usr/bin/chromium``.

    python docs/images/screenshot.py [--out docs/images/app.png] [--width 1280] [--height 800]
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's demo package (run as a script from docs/images/)
from demo.launch import free_port, start_app, wait_until_served  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
#: the headlines the verdict box holds once an answer is on the page (tests/app/test_browser.py waits the same way)
ANSWERED = ("() => { const v = document.querySelector('#verdict h2'); "
            "return v && /crying|not a baby|steady sound/i.test(v.innerText); }")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "docs" / "images" / "app.png"))
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=800)
    p.add_argument("--example", default="synthesised cry 7s")
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    app = start_app(port)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_served(url, app, timeout_s=180)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            page = browser.new_context(viewport={"width": args.width, "height": args.height}).new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
            page.wait_for_selector("#analyse")
            page.locator("#examples").get_by_text(args.example).click()
            page.wait_for_function(ANSWERED)
            page.wait_for_timeout(500)  # let the bars finish drawing
            page.screenshot(path=args.out)
            browser.close()
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=60)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
