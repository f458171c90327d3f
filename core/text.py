"""Text a user sends, checked in one place for the pages and the API.

Refused: NUL and the other control characters (tab, newline and carriage return are text),
and lone surrogates, which JSON's \\uD800 escapes can carry but no database or provider
accepts (PostgreSQL refuses NUL in any text column: without this the write was a 500).
Free of Django like the rest of core; the forms' validator is gallery.validators.PlainText.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """Why `value` cannot be used as text, in plain words; None when it can."""
    control = (_CONTROL if multiline else _CONTROL_SINGLE_LINE).search(value)
    if control is not None:
        code = ord(control.group())
        name = "a NUL character" if code == 0 else f"the control character U+{code:04X}"
        return f"It contains {name} at position {control.start() + 1}; remove it."
    if _SURROGATE.search(value):
        return "It contains an unpaired UTF-16 surrogate (broken Unicode); send valid text."
    return None


def has_words(value: str) -> bool:
    """Whether `value` holds anything a reader sees: not only spaces and invisible characters
    (format marks such as U+202E or U+FEFF, zero-width spaces)."""
    return any(unicodedata.category(ch)[0] not in "CZ" for ch in value)
