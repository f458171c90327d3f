"""Page weight and submit-to-visible, in headless Chromium against `make run`'s processes.

    .venv/bin/python bench/bench_pages.py [--jobs 10] [--runs 5] [--tree PATH]

With a throwaway DATA_DIR (SQLite + media) it uploads a 2000x1300 photo (JPEG), finishes `--jobs`
inpaints on it with the local provider through the real worker, then serves with uvicorn + the
worker as `make run` does and measures with the browser's resource timing:
- the editor page of that photo (its 10 finished jobs) and one record page: bytes of images
  transferred (and of everything), on a cold cache;
- submit-to-visible: paint a stroke, click Send, until the new card shows its result image
  loaded; median of `--runs`.
`--tree` runs the servers from another checkout (e.g. an older commit unpacked with git archive)
with this script, for before/after figures on the same machine.
"""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.chromium import ARGS, CHROMIUM  # noqa: E402
from tests.imagedata import photo_jpeg  # noqa: E402

SETUP = """
from accounts import services as accounts
from editor.services.submit import start_edit, upload_image
membership = accounts.create_user_with_team("alice", "correct horse battery staple")
source = upload_image(membership, open(PHOTO, "rb").read(), "photo.jpg")
mask = open(MASK, "rb").read()
codes = [
    start_edit(
        membership, type="IMAGE_INPAINTER", provider="local", model="telea",
        prompt=f"remove the thing {i}", params={}, source=source, mask=mask,
    ).code
    for i in range(JOBS)
]
from django.test import Client
client = Client()
client.force_login(membership.user)
print(source.code, codes[0], client.cookies["sessionid"].value)
"""

IMAGE_BYTES = """() => performance.getEntriesByType("resource")
  .filter((e) => e.initiatorType === "img" || e.name.includes("/files/"))
  .reduce((n, e) => n + e.transferSize, 0)"""
ALL_BYTES = """() => performance.getEntriesByType("resource")
  .reduce((n, e) => n + e.transferSize, 0)
  + performance.getEntriesByType("navigation")[0].transferSize"""
NEWEST_DONE_IMAGE_LOADED = """(before) => {
  const done = document.querySelectorAll(".job.status-success");
  if (done.length <= before) return false;
  return [...done].some((card) => !card.dataset.seen && [...card.querySelectorAll("img")]
    .some((img) => img.complete && img.naturalWidth > 0));
}"""
MARK_SEEN = """() => document.querySelectorAll(".job").forEach((c) => (c.dataset.seen = "1"))"""


def mask_png(width: int = 2000, height: int = 1300) -> bytes:
    mask = Image.new("L", (width, height), 0)
    mask.paste(255, (800, 500, 1100, 750))
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    return buf.getvalue()


def env_for(data_dir: Path) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATA_DIR=str(data_dir))
    env.update(PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING")
    return env


def manage(tree: Path, data_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env_for(data_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return result.stdout


def statuses(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "promptbrush.sqlite3", timeout=20) as conn:
        return [row[0] for row in conn.execute("SELECT status FROM gallery_record")]


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", type=Path, default=HERE)
    args = parser.parse_args()
    tree = args.tree.resolve()
    data_dir = Path(tempfile.mkdtemp(prefix="promptbrush-bench-pages-"))
    manage(tree, data_dir, "migrate", "--noinput", "-v0")
    manage(tree, data_dir, "collectstatic", "--noinput", "-v0")
    (data_dir / "photo.jpg").write_bytes(photo_jpeg())
    (data_dir / "mask.png").write_bytes(mask_png())
    out = manage(
        tree,
        data_dir,
        "shell",
        "--no-imports",
        "-c",
        SETUP.replace("JOBS", str(args.jobs))
        .replace("PHOTO", repr(str(data_dir / "photo.jpg")))
        .replace("MASK", repr(str(data_dir / "mask.png"))),
    )
    source, record, session = out.split()[-3:]
    port = 8765
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
             "--no-access-log"],
            cwd=tree, env=env_for(data_dir),
        ),
        subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--threads", "4"],
            cwd=tree, env=env_for(data_dir),
        ),
    ]  # fmt: skip
    try:
        wait_until(
            lambda: statuses(data_dir).count("SUCCESS") == args.jobs, 600, "the jobs to finish"
        )
        measure(f"http://127.0.0.1:{port}", source, record, session, args.runs)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(20)


def measure(base: str, source: str, record: str, session: str, runs: int) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)

        def fresh_page():
            context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
            context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
            return context, context.new_page()

        for label, path in (
            ("editor page", f"/edit/{source}/"),
            ("record page", f"/gallery/{record}/"),
        ):
            context, page = fresh_page()
            page.goto(base + path, wait_until="networkidle")
            page.mouse.wheel(0, 20_000)  # lazy images below the fold count too
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
            images, total = page.evaluate(IMAGE_BYTES), page.evaluate(ALL_BYTES)
            print(f"{label}: images {images / 1e6:.2f} MB, everything {total / 1e6:.2f} MB")
            context.close()

        context, page = fresh_page()
        page.goto(f"{base}/edit/{source}/", wait_until="networkidle")
        timings = []
        for _ in range(runs):
            page.evaluate(MARK_SEEN)
            before = page.locator(".job.status-success").count()
            canvas = page.locator("canvas").first.bounding_box()
            x, y = canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2
            page.mouse.move(x - 40, y)
            page.mouse.down()
            page.mouse.move(x + 40, y + 10, steps=8)
            page.mouse.up()
            started = time.perf_counter()
            page.locator("[data-submit]").click()
            page.wait_for_function(NEWEST_DONE_IMAGE_LOADED, arg=before, timeout=120_000)
            timings.append(time.perf_counter() - started)
        print(
            f"submit-to-visible: median {statistics.median(timings):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in timings)})"
        )
        context.close()
        browser.close()


if __name__ == "__main__":
    main()
