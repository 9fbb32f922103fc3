"""What a text looks like: the Unicode confusables skeleton (UTS #39), from ICU.

ICU's spoof checker carries the Unicode confusables data and computes the skeleton as the
standard defines it; the rule that uses it (when two names are confusable) is the domain's
(``domain.values.check_not_confusable``).
"""

from __future__ import annotations

import icu

_CHECKER = icu.SpoofChecker()


def skeleton(text: str) -> str:
    """``text``'s skeleton: confusable characters mapped to one prototype (Cyrillic "\u0441"
    and Latin "c" both to "c"; "0" to "O"; "m" to "rn")."""
    return str(_CHECKER.getSkeleton(0, text))
