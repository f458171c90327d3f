"""Form validators shared by every app's forms (editor's import them from here: gallery sits
below the editor)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from core.text import text_problem


@deconstructible
class PlainText:
    """Form validator: `PlainText()` for multi-line fields, `PlainText(multiline=False)`."""

    def __init__(self, multiline: bool = True) -> None:
        self.multiline = multiline

    def __call__(self, value: str) -> None:
        problem = text_problem(str(value), multiline=self.multiline)
        if problem:
            raise ValidationError(problem, code="control_characters")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainText) and other.multiline == self.multiline
