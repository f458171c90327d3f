"""Gallery pages with 10,000 records: server time (median, p95) and query count.

    .venv/bin/python bench/bench_gallery.py [--records 10000] [--runs 50]

Runs on a throwaway DATA_DIR (SQLite, local files) and drives the real views through
django.test.Client, so the figures include middleware, the ORM and template rendering,
but no network or WSGI server.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="promptbrush-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import services as accounts  # noqa: E402
from gallery.models import Asset, Record, RecordImage  # noqa: E402
from gallery.services import store_asset  # noqa: E402

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PROVIDERS = [("local", "telea"), ("local", "ns"), ("openai", "gpt-image-1"), ("onemin", "dall-e-2")]


def populate(count: int):
    admin = accounts.create_user_with_team("bench-admin", "bench password 123")
    member = accounts.add_member(admin.team, "bench-member", "bench password 123", credit_limit=0)
    # A few real files shared by every record: the pages only link to them.
    source = store_asset(member, PNG, kind=Asset.Kind.UPLOAD, extension="png", width=1, height=1)
    result = store_asset(member, PNG, kind=Asset.Kind.RESULT, extension="png", width=1, height=1)
    thumb = store_asset(member, PNG, kind=Asset.Kind.THUMBNAIL, extension="png", width=1, height=1)
    now = timezone.now()
    records = []
    for i in range(count):
        provider, model = PROVIDERS[i % len(PROVIDERS)]
        failed = i % 17 == 0
        created = now - timezone.timedelta(minutes=i)
        records.append(
            Record(
                team_id=member.team_id,
                user_id=member.user_id if i % 3 else admin.user_id,
                membership=member if i % 3 else admin,
                type=Record.Type.IMAGE_INPAINTER,
                provider=provider,
                model=model,
                status=Record.Status.FAILED if failed else Record.Status.SUCCESS,
                prompt=f"Edit number {i}: replace the sky with a warm sunset over the hills",
                prompt_object={"prompt": f"Edit number {i}", "n": 1, "size": "auto"},
                options={"paste_back": True},
                response_object={"id": f"resp-{i}"},
                source=source,
                rating=(i % 5) + 1 if i % 4 else None,
                feedback="too dark" if i % 11 == 0 else "",
                error="Rate limited" if failed else "",
                started=created + timezone.timedelta(seconds=1),
                finished=created + timezone.timedelta(seconds=5 + i % 30),
                provider_ms=3000 + i % 2000,
            )
        )
    Record.objects.bulk_create(records, batch_size=1000)  # sets pks on SQLite and PostgreSQL
    # auto_now_add stamped them all "now": spread the creation times over the past days
    for i, record in enumerate(records):
        record.created = now - timezone.timedelta(minutes=i)
    Record.objects.bulk_update(records, ["created"], batch_size=1000)
    done = [r for r in records if r.status == Record.Status.SUCCESS]
    RecordImage.objects.bulk_create(
        [RecordImage(record=r, position=0, image=result, thumbnail=thumb) for r in done],
        batch_size=1000,
    )
    return admin, member, records


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm caches, compiled templates
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    # The test client's host, and plain static storage (no collectstatic needed). No
    # setup_test_environment(): its template instrumentation would double the render time.
    override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    admin, member, records = populate(args.records)
    print(f"{args.records} records created in {time.perf_counter() - started:.1f} s")

    member_client = Client()
    member_client.force_login(member.user)
    admin_client = Client()
    admin_client.force_login(admin.user)
    recent, deep = records[1], records[-1]
    gallery = reverse("gallery:list")
    cases = [
        ("baseline: editor start page", member_client, reverse("editor:home")),
        ("list, member", member_client, gallery),
        ("list, admin team scope", admin_client, f"{gallery}?scope=team"),
        ("list, page 100", admin_client, f"{gallery}?scope=team&page=100"),
        ("list, htmx partial", admin_client, f"{gallery}?scope=team&page=2"),
        ("list, filtered q + rating", admin_client, f"{gallery}?scope=team&q=sunset&min_rating=4"),
        ("detail, recent", member_client, reverse("gallery:detail", args=[recent.code])),
        ("detail, oldest", admin_client, reverse("gallery:detail", args=[deep.code])),
        ("stats, team", admin_client, reverse("gallery:stats") + "?scope=team"),
    ]
    print(f"{'page':<28}{'median ms':>11}{'p95 ms':>9}{'queries':>9}")
    for label, client, url in cases:
        if "htmx" in label:
            client.defaults["HTTP_HX_REQUEST"] = "true"
        median, p95, queries = measure(client, url, args.runs)
        client.defaults.pop("HTTP_HX_REQUEST", None)
        print(f"{label:<28}{median:>11.1f}{p95:>9.1f}{queries:>9}")


if __name__ == "__main__":
    main()
