"""Numbers a user sends, checked in one place for the pages, the API and the services.

JSON has no limit on an integer's digits: 1 followed by 400 zeros parses as a Python int that
compares fine but overflows every conversion to float (math.isfinite, `:g` formatting, NumPy),
which was a 500. Free of Django like the rest of core.
"""

from __future__ import annotations

import math


def is_number(value: object) -> bool:
    """A finite int or float that fits a float; never true/false (bool is an int in Python)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int past float's range
        return False
