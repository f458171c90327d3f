"""API benchmarks (issue 3): `.venv/bin/python bench/bench_api.py [--edits 30] [--concurrent 50]`.

Starts, with a temporary DATA_DIR (SQLite + media):
- a loopback OpenAI-compatible server (tests/fakes) answering after `latency` seconds,
- uvicorn serving config.asgi on a free port, and `manage.py run_worker` (WORKER_THREADS=64),
then measures through the real JSON API with an API key:
(a) app overhead per edit: sequential synchronous POST /api/features (1536x1024 image, painted
    mask, paste-back on) against a zero-latency provider: median and p95 of the whole call;
(b) 50 concurrent `?async=true` edits against a provider with 3 s latency: wall time from the
    first POST until every record is SUCCESS (polled with GET /api/features/<uuid>);
(c) the same 50 as synchronous calls (each request waits in an async view, holding no thread).
Each phase also reports Promptbrush's own CPU per edit: user + system time of the web and worker
processes (from /proc/<pid>/stat) read before and after the phase, divided by the edits; the fake
provider runs in this bench process and is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import cpu_seconds, running_stack  # noqa: E402
from tests.fakes.base import Reply  # noqa: E402
from tests.fakes.openai_server import OpenAIServer  # noqa: E402


class SlowOpenAI(OpenAIServer):
    """The loopback OpenAI server with a latency, and (with `--image photo`) a canned answer.

    The checking fake parses every multipart body and encodes a fresh PNG per request, in this
    process's one GIL; under 50 concurrent edits that CPU, not Promptbrush's, dominated the
    wall time. The canned answer is one pre-encoded result, so what is measured is the app."""

    latency = 0.0
    canned: bytes | None = None

    def handle(self, request):
        if self.latency and request.path.startswith("/v1/images"):
            time.sleep(self.latency)
        if self.canned is not None and request.path == "/v1/images/edits":
            return Reply(200, self.canned, {"Content-Type": "application/json"})
        return super().handle(request)


def png(w: int, h: int, kind: str = "noise", seed: int = 1) -> bytes:
    """Random noise (PNG's worst case: 4.7 MB at 1536x1024) or a photo-like image: smooth
    gradients with a little sensor-like grain, which compresses as photos do."""
    rng = np.random.default_rng(seed)
    if kind == "noise":
        pixels = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    else:
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        base = np.stack([x / w, y / h, (x + y) / (w + h)], axis=-1) * 200 + 28
        base += np.sin(x / 37.0)[..., None] * 12 + np.cos(y / 23.0)[..., None] * 12
        base += rng.normal(0, 2.0, base.shape)
        pixels = base.clip(0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, "PNG")
    return buf.getvalue()


def mask(w: int, h: int) -> bytes:
    m = np.zeros((h, w), dtype=np.uint8)
    m[h // 4 : h // 2, w // 4 : w // 2] = 255
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    return buf.getvalue()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=1, help="run_worker processes")
    parser.add_argument(
        "--size",
        default="1536x1024",
        help="source size WxH; a small one (256x256) takes image CPU out of the picture and "
        "shows what the job pipeline itself keeps in flight",
    )
    parser.add_argument(
        "--image",
        choices=["noise", "photo"],
        default="photo",
        help="photo-like source and canned provider answer (default), or random noise "
        "answered by the checking fake (worst case for PNG, and the fake's CPU counts)",
    )
    args = parser.parse_args()

    load_start = os.getloadavg()[0]
    width, height = (int(v) for v in args.size.lower().split("x"))
    fake = SlowOpenAI()
    if args.image == "photo":
        result = base64.b64encode(png(width, height, "photo", seed=2)).decode()
        fake.canned = json.dumps({"created": 0, "data": [{"b64_json": result}]}).encode()
    fake.start()
    env = {
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_API_KEY": fake.api_key,
        "DEFAULT_CREDIT_LIMIT": str(10**12),
        "WORKER_THREADS": "64",
    }
    stack_options = {"workers": args.workers, "uvicorn_args": ("--timeout-keep-alive", "120")}
    try:
        with running_stack(env, **stack_options) as stack:
            pids, base, headers = stack.pids, stack.base_url, {"API-KEY": stack.token}
            with stack.client(timeout=120) as client:
                source = png(width, height, args.image)
                image = client.post("/api/assets", files={"asset": ("a.png", source)})
                mask_up = client.post(
                    "/api/assets", files={"asset": ("m.png", mask(width, height))}
                )
                body = {
                    "type": "IMAGE_INPAINTER",
                    "model": "gpt-image-2.5-sunburst",
                    "provider": "openai",
                    "promptObject": {
                        "prompt": "a red balloon",
                        "imageUrl": image.json()["fileContent"]["path"],
                        "maskUrl": mask_up.json()["fileContent"]["path"],
                        "size": "auto",
                        "quality": "low",
                    },
                }
                # (a) overhead per edit, zero provider latency
                fake.latency = 0.0
                warm = client.post("/api/features", json=body)
                assert warm.status_code == 200, warm.text
                totals, queue, provider = [], [], []
                cpu_before = cpu_seconds(pids)
                web_before = cpu_seconds(pids[:1])
                for _ in range(args.edits):
                    t0 = time.perf_counter()
                    answer = client.post("/api/features", json=body).json()["aiRecord"]
                    totals.append((time.perf_counter() - t0) * 1000)
                    assert answer["status"] == "SUCCESS", answer["error"]
                    queue.append(answer["durations"]["queueMs"])
                    provider.append(answer["durations"]["providerMs"])
                cpu_per_edit = (cpu_seconds(pids) - cpu_before) / args.edits
                web_per_edit = (cpu_seconds(pids[:1]) - web_before) / args.edits
                print(
                    f"(a) app overhead per edit, {args.size} inpaint, zero-latency provider, "
                    f"{args.edits} sequential sync calls:"
                )
                print(
                    f"    whole call  median {statistics.median(totals):.0f} ms, "
                    f"p95 {pct(totals, 95):.0f} ms"
                )
                print(
                    f"    of which queue wait median {statistics.median(queue):.0f} ms, "
                    f"provider call (incl. upload to the fake) median "
                    f"{statistics.median(provider):.0f} ms"
                )
                print(
                    f"    Promptbrush CPU (web + worker) per edit {cpu_per_edit:.3f} core-s "
                    f"(web {web_per_edit:.3f}, worker {cpu_per_edit - web_per_edit:.3f})"
                )

            fake.latency = args.latency

            async def burst(asynchronous: bool) -> tuple[float, int]:
                suffix = "?async=true" if asynchronous else ""
                limits = httpx.Limits(max_connections=args.concurrent + 10)
                cpu_before, web_before = cpu_seconds(pids), cpu_seconds(pids[:1])
                async with httpx.AsyncClient(
                    base_url=base, headers=headers, timeout=300, limits=limits
                ) as ac:
                    t0 = time.perf_counter()
                    answers = await asyncio.gather(
                        *(
                            ac.post(f"/api/features{suffix}", json=body)
                            for _ in range(args.concurrent)
                        )
                    )
                    codes = [a.json()["aiRecord"]["uuid"] for a in answers]
                    pending = set(codes)
                    ok = sum(a.json()["aiRecord"]["status"] == "SUCCESS" for a in answers)
                    if asynchronous:
                        ok = 0
                        while pending:
                            await asyncio.sleep(0.1)
                            polled = await asyncio.gather(
                                *(ac.get(f"/api/features/{c}") for c in pending)
                            )
                            for p in polled:
                                record = p.json()["aiRecord"]
                                if record["status"] in ("SUCCESS", "FAILED"):
                                    pending.discard(record["uuid"])
                                    ok += record["status"] == "SUCCESS"
                    wall = time.perf_counter() - t0
                    # Polling GETs are included: they are what an async client costs the app.
                    web = (cpu_seconds(pids[:1]) - web_before) / args.concurrent
                    return wall, ok, (cpu_seconds(pids) - cpu_before) / args.concurrent, web

            for label, asynchronous in (("async", True), ("sync (waiting)", False)):
                wall, ok, cpu, web = asyncio.run(burst(asynchronous))
                print(
                    f"({'b' if asynchronous else 'c'}) {args.concurrent} concurrent {label} edits, "
                    f"provider latency {args.latency:g} s: wall {wall:.2f} s "
                    f"({wall / args.latency:.2f}x the latency), {ok} SUCCESS, "
                    f"CPU per edit {cpu:.3f} core-s (web {web:.3f}, worker {cpu - web:.3f})"
                )
            print(f"(logs and database in {stack.data_dir})")
    finally:
        fake.stop()
        print(f"(load average {load_start:.1f} -> {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
