import pytest

from editor import services
from tests.conftest import png_bytes


@pytest.fixture
def asset(alice_membership):
    """alice's 64x48 upload."""
    return services.upload_image(alice_membership, png_bytes(64, 48), "photo.png")
