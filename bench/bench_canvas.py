"""Canvas benchmark: a 6000x4000 image in the editor, headless Chromium.

Prints requestAnimationFrame frame times (median, p95, max) while a long brush stroke is drawn
at fit-to-screen and at 100 % zoom, and the time to export the full-resolution mask PNG.

    .venv/bin/python bench/bench_canvas.py [--width 6000 --height 4000]

Runs on a throwaway SQLite database and media folder, with a live server thread as the browser
tests use; nothing outside a temp folder is touched.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="promptbrush-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from accounts.services import create_user_with_team  # noqa: E402
from editor.services import upload_image  # noqa: E402
from tests.browser.chromium import ARGS, CHROMIUM  # noqa: E402

RECORD_FRAMES = """() => {
  window.__frames = [];
  window.__recording = true;
  const tick = (t) => {
    window.__frames.push(t);
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
IMAGE_LOADED = "() => document.querySelector('[data-stage-image]').complete"
STOP_FRAMES = """() => {
  window.__recording = false;
  const f = window.__frames;
  return f.slice(1).map((t, i) => t - f[i]);
}"""


def big_image(width: int, height: int) -> bytes:
    """A photo-like gradient with noise, so the PNG is not trivially small."""
    rng = np.random.default_rng(1)
    x = np.linspace(0, 255, width, dtype=np.float32)
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    base = np.stack([x + 0 * y, y + 0 * x, (x + y) / 2], axis=2)
    noise = rng.integers(0, 24, (height, width, 1), dtype=np.uint8)
    arr = np.clip(base + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(arr).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def summary(deltas: list[float]) -> str:
    deltas = sorted(deltas)
    p95 = deltas[min(len(deltas) - 1, round(0.95 * (len(deltas) - 1)))]
    return (
        f"frames={len(deltas)} median={statistics.median(deltas):.1f} ms "
        f"p95={p95:.1f} ms max={deltas[-1]:.1f} ms"
    )


def stroke(page, steps: int) -> list[float]:
    box = page.locator("[data-mask-canvas]").bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.3
    x1, y1 = box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.7
    page.evaluate(RECORD_FRAMES)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=steps)
    page.mouse.move(x0, y1, steps=steps)
    page.mouse.up()
    page.wait_for_timeout(100)
    return page.evaluate(STOP_FRAMES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=6000)
    parser.add_argument("--height", type=int, default=4000)
    parser.add_argument("--steps", type=int, default=150, help="pointer moves per stroke leg")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    membership = create_user_with_team("bench", "bench-password-123")
    asset = upload_image(membership, big_image(args.width, args.height), "bench.jpeg")
    client = Client()
    client.force_login(membership.user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    server = LiveServerThread("localhost", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://localhost:{server.port}"

    with sync_playwright() as pw:
        profile = tempfile.mkdtemp(prefix="promptbrush-bench-chromium-")
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1440, "height": 900},
        )
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{base}/edit/{asset.code}/")
        page.wait_for_selector("html[data-editor-ready]")
        page.wait_for_function(IMAGE_LOADED, timeout=60_000)
        page.wait_for_timeout(500)
        page.eval_on_selector(
            '[data-setting="size"]',
            "el => { el.value = 120; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        )

        print(f"image {args.width}x{args.height}, viewport 1440x900, headless Chromium (no GPU)")
        print(f"stroke at fit ({page.evaluate('window.promptbrush.view.scale'):.3f}x):", end=" ")
        print(summary(stroke(page, args.steps)))
        page.evaluate("window.promptbrush.view.zoomTo(1)")
        page.wait_for_timeout(200)
        print("stroke at 100 %:", summary(stroke(page, args.steps)))
        page.evaluate("window.promptbrush.view.zoomTo(4)")
        page.wait_for_timeout(200)
        print("stroke at 400 %:", summary(stroke(page, args.steps)))

        timings = []
        for _ in range(3):
            timings.append(
                page.evaluate(
                    """async () => {
                      const t0 = performance.now();
                      const blob = await window.promptbrush.exportMask();
                      return [performance.now() - t0, blob.size];
                    }"""
                )
            )
        ms = [t[0] for t in timings]
        print(
            f"mask export ({args.width}x{args.height} PNG, {timings[-1][1] / 1024:.0f} KiB): "
            f"median={statistics.median(ms):.0f} ms min={min(ms):.0f} ms "
            f"over {len(ms)} runs, {len(page.evaluate('window.promptbrush.store.ops'))} strokes"
        )
        undo = page.evaluate(
            """() => { const t0 = performance.now();
                 document.querySelector('[data-action="undo"]').click();
                 return performance.now() - t0; }"""
        )
        print(f"undo (replay the remaining strokes into the working layer): {undo:.1f} ms")
        context.close()
    server.terminate()


if __name__ == "__main__":
    main()
