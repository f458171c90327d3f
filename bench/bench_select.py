"""Smart selection quality and speed. Run: .venv/bin/python bench/bench_select.py [--scenes N]

Synthetic 1536x1024 scenes (tests/scenes.py): a textured background with clutter shapes and one
object whose mask is known exactly; half the objects are flat colour, half striped and grainy.
For each scene, IoU against the true mask of:
  rough    a hurried brush over the object (edge off by up to 32 px, mostly outwards)
  refine   that brush mask refined (band = the brush size, 64 px)
  wand     one click at the object's centre, tolerance 20
  box      a box 12 px around the object
and the time of each call (median wall clock and CPU seconds; the machine is shared, so CPU
time is the steadier figure). "request" adds what the endpoint does around the engine: decode
the PNG image, encode the mask PNG.
Goals: refine raises mean IoU over rough by >= 0.1; refine < 0.5 s and wand < 0.1 s (wall).
Exit status 1 when a goal is missed. No Django needed.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from editor.engine import images, masks, select
from tests.scenes import Scene, iou, make_scene

REPEATS = 3
TOLERANCE = 20


def timed(fn: Callable[[], np.ndarray]) -> tuple[np.ndarray, float, float]:
    """The result and the median (wall, CPU) seconds of REPEATS calls."""
    walls, cpus, out = [], [], None
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    assert out is not None
    return out, statistics.median(walls), statistics.median(cpus)


def request_path(scene: Scene) -> float:
    """Decode the image PNG, refine, encode the mask PNG: what POST .../select/ computes."""
    buf = io.BytesIO()
    Image.fromarray(scene.image).save(buf, "PNG", compress_level=1)
    data = buf.getvalue()
    start = time.perf_counter()
    pixels = np.asarray(images.open_image(data).convert("RGB"))
    masks.to_white_on_black_png(select.refine(pixels, scene.rough, scene.brush))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scenes", type=int, default=8, help="scenes of each kind (flat, textured)"
    )
    args = parser.parse_args()
    rows = []
    for textured in (False, True):
        for seed in range(args.scenes):
            s = make_scene(100 + seed, textured=textured)
            refined, r_wall, r_cpu = timed(lambda s=s: select.refine(s.image, s.rough, s.brush))
            wanded, w_wall, w_cpu = timed(lambda s=s: select.wand(s.image, s.inside, TOLERANCE))
            boxed, b_wall, b_cpu = timed(lambda s=s: select.box(s.image, s.box))
            rows.append(
                {
                    "kind": "textured" if textured else "flat",
                    "rough": iou(s.rough, s.truth),
                    "refine": iou(refined, s.truth),
                    "wand": iou(wanded, s.truth),
                    "box": iou(boxed, s.truth),
                    "t_refine": (r_wall, r_cpu),
                    "t_wand": (w_wall, w_cpu),
                    "t_box": (b_wall, b_cpu),
                    "t_request": request_path(s),
                }
            )
            r = rows[-1]
            print(
                f"{r['kind']:8} seed {100 + seed}: rough {r['rough']:.3f}  refine {r['refine']:.3f}"
                f" ({r_wall:.3f} s)  wand {r['wand']:.3f} ({w_wall * 1000:.0f} ms)"
                f"  box {r['box']:.3f} ({b_wall:.2f} s)",
                flush=True,
            )

    def mean(key: str, kind: str | None = None) -> float:
        return statistics.fmean(r[key] for r in rows if kind in (None, r["kind"]))

    def med(key: str, i: int) -> float:
        return statistics.median(r[key][i] for r in rows)

    print(f"\nmean IoU on {len(rows)} scenes of 1536x1024 (flat / textured / all)")
    for key in ("rough", "refine", "wand", "box"):
        print(f"  {key:7} {mean(key, 'flat'):.3f} / {mean(key, 'textured'):.3f} / {mean(key):.3f}")
    print("median seconds per call (wall / CPU)")
    for key in ("refine", "wand", "box"):
        print(f"  {key:7} {med('t_' + key, 0):.3f} / {med('t_' + key, 1):.3f}")
    request = statistics.median(r["t_request"] for r in rows)
    print(f"  refine with PNG decode + encode (wall): {request:.3f}")

    gain = mean("refine") - mean("rough")
    goals = {
        f"refine raises mean IoU by {gain:+.3f} (goal >= +0.1)": gain >= 0.1,
        f"refine {med('t_refine', 0):.3f} s (goal < 0.5 s)": med("t_refine", 0) < 0.5,
        f"wand {med('t_wand', 0) * 1000:.0f} ms (goal < 100 ms)": med("t_wand", 0) < 0.1,
    }
    for text, ok in goals.items():
        print(f"{'ok  ' if ok else 'MISS'} {text}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
