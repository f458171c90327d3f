"""Helpers for driving the canvas editor in the browser tests: a scene to edit, opening the
editor, painting strokes, waiting for htmx swaps, reading the exported mask."""

import base64
import io
from contextlib import contextmanager

import numpy as np
from django.urls import reverse
from PIL import Image

W, H = 400, 300


def scene_png() -> bytes:
    """Grey with a red square at (150..250, 100..200): something for inpainting to remove."""
    img = Image.new("RGB", (W, H), (128, 128, 128))
    img.paste((220, 30, 30), (150, 100, 250, 200))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def open_editor(page, live_server, asset):
    page.goto(live_server.url + reverse("editor:edit", args=[asset.code]))
    editor_ready(page)


def editor_ready(page):
    """Waits until the editor page is ready to paint on: wired up, its image loaded, and its
    first frame drawn. The view is fitted to the stage by a ResizeObserver, which reports on the
    first frame after the page is wired up: a stroke or a box read before it would use the unfitted
    view (scale 1 at the top left)."""
    page.wait_for_selector("html[data-editor-ready]")
    page.wait_for_function("() => document.querySelector('[data-stage-image]').complete")
    next_frame(page)


@contextmanager
def form_refresh(page, times=1):
    """Waits, after the block, until the edit form has been re-rendered by the refresh (htmx GET
    and swap) that the block set off: only then are its new fields there to type into. With
    `times`, until that many refreshes have been swapped in (a refresh that sets off another):
    a field read while one is still on its way may be the form it is about to replace."""
    page.evaluate(
        """() => {
            if (window.pbFormRefreshes === undefined) {
                document.addEventListener("promptbrush:form-refreshed",
                    () => { window.pbFormRefreshes += 1; });
            }
            window.pbFormRefreshes = 0;
        }"""
    )
    yield
    page.wait_for_function("(times) => window.pbFormRefreshes >= times", arg=times)


@contextmanager
def htmx_settled(page):
    """Waits, after the block, until htmx has settled the content the block's request swapped
    in: only then do the new elements' own htmx triggers listen."""
    page.evaluate(
        """() => {
            window.pbSettled = false;
            document.addEventListener("htmx:afterSettle",
                () => { window.pbSettled = true; }, { once: true });
        }"""
    )
    yield
    page.wait_for_function("() => window.pbSettled")


def next_frame(page):
    """Waits (at most 5 s) until the page has drawn its next frame. The editor draws a change of
    zoom or pan (the image's transform, the zoom level) on the next animation frame, not in the
    handler of the key or drag: what it moved is read after that frame."""
    page.wait_for_function(
        "() => new Promise((resolve) => requestAnimationFrame(() => resolve(true)))",
        timeout=5000,
    )


def to_client(page, x, y):
    """Image pixel -> client coordinates, through the page's own viewport."""
    return page.evaluate(
        """([x, y]) => {
            const v = window.promptbrush.view;
            const r = v.stage.getBoundingClientRect();
            const s = v.imageToStage(x, y);
            return [r.left + v.stage.clientLeft + s.x, r.top + v.stage.clientTop + s.y];
        }""",
        [x, y],
    )


def stroke(page, points, steps=8):
    """Drag the mouse through image pixels `points`."""
    start = to_client(page, *points[0])
    page.mouse.move(*start)
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*to_client(page, *point), steps=steps)
    page.mouse.up()


def set_size(page, size):
    page.eval_on_selector(
        '[data-setting="size"]',
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        size,
    )


def exported_mask(page) -> np.ndarray:
    url = page.evaluate("window.promptbrush.exportMaskDataURL()")
    img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert img.size == (W, H)
    assert img.mode in ("RGB", "RGBA")
    arr = np.asarray(img.convert("RGBA"))
    assert (arr[..., 3] == 255).all()  # opaque
    return arr[..., 0]
