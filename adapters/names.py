"""What a text looks like: the Unicode confusables skeleton (UTS #39), from ICU.

ICU's spoof checker carries the Unicode confusables data and computes the skeleton as the
standard defines it; the rule that uses it (when two names are confusable) is the domain's
(``domain.values.check_not_confusable``).
"""

from __future__ import annotations

from functools import cache
from typing import Any


def skeleton(text: str) -> str:
    """``text``'s skeleton: confusable characters mapped to one prototype (Cyrillic "\u0441"
    and Latin "c" both to "c"; "0" to "O"; "m" to "rn")."""
    return str(_checker().getSkeleton(0, text))


@cache
def _checker() -> Any:
    """ICU's spoof checker, loaded when a name is first compared: a command that compares
    none does not pay for loading ICU."""
    import icu

    return icu.SpoofChecker()
