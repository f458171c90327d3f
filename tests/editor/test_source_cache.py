"""The worker's decoded sources: kept for the next edit of the same picture, bounded, read-only."""

import numpy as np
import pytest

from editor import services
from editor.services.sources import decoded_source
from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sources(alice_membership):
    upload = services.upload_image
    return (
        upload(alice_membership, png_bytes(64, 48, (200, 30, 30)), "red.png"),
        upload(alice_membership, png_bytes(64, 48, (30, 30, 200)), "blue.png"),
    )


def test_a_source_is_decoded_once_for_repeat_edits_and_cannot_be_written(two_sources):
    red, _ = two_sources
    data, decoded = decoded_source(red)
    again = decoded_source(red)
    assert again[1] is decoded and again[0] == data
    assert (decoded.pixels[0, 0] == (200, 30, 30)).all()
    with pytest.raises(ValueError):
        decoded.pixels[0, 0] = 0  # a job scribbling on it would spoil the next job's source


def test_the_cache_keeps_within_its_bound(two_sources, settings):
    red, blue = two_sources
    settings.SOURCE_CACHE_BYTES = 64 * 48 * 3 + 2000  # room for one decoded source
    first = decoded_source(red)[1]
    assert decoded_source(blue)[1].pixels[0, 0, 2] == 200
    assert decoded_source(red)[1] is not first  # evicted by blue, decoded afresh
    assert np.array_equal(decoded_source(red)[1].pixels, first.pixels)


def test_a_cache_of_zero_keeps_nothing(two_sources, settings):
    settings.SOURCE_CACHE_BYTES = 0
    red, _ = two_sources
    assert decoded_source(red)[1] is not decoded_source(red)[1]
