"""A real edit (local provider) submitted while no worker runs is done by the next worker."""

import sqlite3

import pytest

from tests.ops.conftest import manage, start_worker, statuses, stop

pytestmark = pytest.mark.sqlite_path

SUBMIT = """
import io
from PIL import Image
from accounts import services as accounts
from editor.services.submit import start_edit, upload_image

def png(mode, size, color):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format="PNG")
    return buffer.getvalue()

membership = accounts.create_user_with_team("dana", "correct horse battery staple")
source = upload_image(membership, png("RGB", (64, 48), (200, 30, 30)), "photo.png")
mask = Image.new("L", (64, 48), 0)
mask.paste(255, (10, 10, 30, 30))
buffer = io.BytesIO()
mask.save(buffer, format="PNG")
for _ in range(3):
    record = start_edit(
        membership, type="IMAGE_INPAINTER", provider="local", model="telea",
        prompt="remove it", params={}, source=source, mask=buffer.getvalue(),
    )
    print(record.code)
"""


def records(data_dir) -> list[tuple[str, int, str]]:
    with sqlite3.connect(data_dir / "promptbrush.sqlite3", timeout=20) as conn:
        return conn.execute(
            "SELECT status, attempts, error FROM gallery_record ORDER BY id"
        ).fetchall()


def test_edits_queued_while_no_worker_runs_are_done_after_it_starts(data_dir):
    submitted = manage(data_dir, "shell", "--no-imports", "-c", SUBMIT)
    assert submitted.returncode == 0, submitted.stderr
    assert len(submitted.stdout.split()) == 3
    assert records(data_dir) == [("PENDING", 0, "")] * 3
    assert statuses(data_dir) == {"READY": 3}

    worker = start_worker(data_dir, "--threads", "4", "--exit-when-idle", "0.5")
    output = stop(worker, sig=None, timeout=60)

    assert worker.returncode == 0, output
    assert records(data_dir) == [("SUCCESS", 1, "")] * 3
    assert statuses(data_dir) == {"SUCCESSFUL": 3}
