"""core.errors is the leaf every layer shares: no Django, no app, and every user-fixable error
type of the project derives from it."""

from pathlib import Path

import pytest

from core.errors import UserFacingError
from editor.api.http import ApiError
from editor.engine.images import ImageError
from editor.engine.masks import MaskError
from editor.services import EditRejected
from editor.ssrf import FetchRefused
from tests.editor.engine.test_engine_is_pure import forbidden_imports

CORE = Path(__file__).resolve().parents[2] / "core"


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_imports_neither_django_nor_an_app(module):
    assert forbidden_imports(module) == []


@pytest.mark.parametrize(
    ("error", "field"),
    [
        (EditRejected("prompt", "Describe the change."), "prompt"),
        (ImageError("The image file is empty."), None),
        (MaskError("The mask is empty: paint the area to change."), "mask"),
        (FetchRefused("The image URL is not a valid URL."), None),
        (ApiError("Send the image as the multipart field 'asset'.", "asset", 400), "asset"),
    ],
)
def test_every_user_fixable_error_is_one_type_with_field_and_message(error, field):
    assert isinstance(error, UserFacingError)
    assert (error.field, error.message) == (field, str(error))
