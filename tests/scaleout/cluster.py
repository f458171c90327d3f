"""A small Promptbrush deployment on one machine, for the scale-out test and benchmark:
PostgreSQL, media on an S3-protocol server, N uvicorn web processes, M run_worker processes,
and a loopback OpenAI-compatible provider that takes `latency` seconds per image."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import psycopg
from PIL import Image

from tests.asgi_server import free_port, start_web
from tests.fakes.openai_server import OpenAIServer
from tests.ops.conftest import PYTHON, ROOT, base_env, manage
from tests.storage.conftest import BUCKET, S3Server

MODEL = "gpt-image-2.5-sunburst"


class SlowProvider(OpenAIServer):
    """Answers like OpenAI after `latency` seconds, and counts the calls per prompt."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    def handle(self, request):
        reply = super().handle(request)
        reply.delay = self.latency
        return reply

    def calls_per_prompt(self) -> Counter:
        edits = self.requests_to("/v1/images/edits", "POST")
        return Counter(req.form()["prompt"] for req in edits)


def _png(array: np.ndarray, mode: str) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, "PNG")
    return buf.getvalue()


@dataclass
class Cluster:
    database_url: str
    data_dir: Path
    s3: S3Server
    provider: SlowProvider
    webs: list[subprocess.Popen] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    token: str = ""

    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "DATABASE_POOL_MAX": "20",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": self.s3.url,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "OPENAI_BASE_URL": self.provider.base_url,
            "OPENAI_API_KEY": self.provider.api_key,
            "DEFAULT_CREDIT_LIMIT": str(10**12),
            "JOB_STALE_SECONDS": "6",
            "WORKER_THREADS": "16",
        }

    def start(self, webs: int, workers: int) -> Cluster:
        self.s3.client().create_bucket(Bucket=BUCKET)
        made = manage(self.data_dir, "create_api_token", "alice", "--create", **self.env())
        assert made.returncode == 0, made.stderr
        self.token = made.stdout.strip().splitlines()[-1]
        for _ in range(webs):
            port = free_port()
            self.webs.append(start_web(self.data_dir, port, **self.env()))
            self.ports.append(port)
        for _ in range(workers):
            self.add_worker()
        return self

    def add_worker(self) -> subprocess.Popen:
        log = open(self.data_dir / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--reap-interval", "1"],
            cwd=ROOT,
            env=base_env(self.data_dir, **self.env(), LOG_LEVEL="INFO"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def worker_logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.data_dir.glob("worker-*.log")))

    def stop(self) -> None:
        for process in self.webs + self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.webs + self.workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()

    def client(self, index: int) -> httpx.Client:
        port = self.ports[index % len(self.ports)]
        return httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"API-KEY": self.token}, timeout=60
        )

    def upload_inputs(self) -> tuple[str, str]:
        rng = np.random.default_rng(3)
        source = _png(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8), "RGB")
        mask = np.zeros((48, 64), dtype=np.uint8)
        mask[10:30, 20:40] = 255
        paths = []
        with self.client(0) as client:
            for name, data in (("source.png", source), ("mask.png", _png(mask, "L"))):
                answer = client.post("/api/assets", files={"asset": (name, data, "image/png")})
                assert answer.status_code == 200, answer.text
                paths.append(answer.json()["fileContent"]["path"])
        return paths[0], paths[1]

    def submit(self, index: int, image: str, mask: str) -> str:
        body = {
            "type": "IMAGE_INPAINTER",
            "provider": "openai",
            "model": MODEL,
            "promptObject": {"imageUrl": image, "maskUrl": mask, "prompt": f"edit {index}"},
        }
        with self.client(index) as client:
            answer = client.post("/api/features?async=true", content=json.dumps(body))
        assert answer.status_code == 202, answer.text
        return answer.json()["aiRecord"]["uuid"]

    def statuses(self) -> Counter:
        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute("SELECT status, count(*) FROM gallery_record GROUP BY status")
            return Counter(dict(rows.fetchall()))

    def failures(self) -> Counter:
        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "SELECT error, count(*) FROM gallery_record WHERE status = 'FAILED' GROUP BY error"
            )
            return Counter(dict(rows.fetchall()))

    def wait_until_settled(self, total: int, timeout: float) -> Counter:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.statuses()
            if counts["SUCCESS"] + counts["FAILED"] == total:
                return counts
            time.sleep(0.2)
        return self.statuses()

    def ledger(self) -> tuple[int, int]:
        """(sum of the credit ledger, used credit on the membership) for alice."""
        with psycopg.connect(self.database_url) as conn:
            ledger = conn.execute("SELECT coalesce(sum(amount), 0) FROM accounts_creditentry")
            used = conn.execute("SELECT sum(used_credit) FROM accounts_membership")
            return ledger.fetchone()[0], used.fetchone()[0]
