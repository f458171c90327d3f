"""Helpers of the editor tests."""

import io

from django.test import TestCase
from PIL import Image

from editor import services


def mask_png(width=64, height=48, box=(10, 10, 30, 30)) -> bytes:
    img = Image.new("L", (width, height), 0)
    img.paste(255, box)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def finished_record(membership, asset):
    """An inpainting of `asset` by the local provider, run to the end."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = services.start_edit(
            membership,
            type="IMAGE_INPAINTER",
            provider="local",
            model="telea",
            prompt="",
            params={},
            source=asset,
            mask=mask_png(),
        )
    record.refresh_from_db()
    return record
