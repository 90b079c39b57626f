"""Money for every area: Decimal yuan rounded to the fen (0.01), never float."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """Rounded to the fen, halves away from zero; a Fraction (an exact
    intermediate result) is rounded exactly, never through a float."""
    if isinstance(value, Fraction):
        fen = math.floor(abs(value) * 100 + Fraction(1, 2))
        return (Decimal(fen if value >= 0 else -fen) / 100).quantize(FEN)
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def exact_decimal(value, places: int = 30) -> Decimal:
    """An exact intermediate kept in the database (numeric(…, 30)): 30 places
    are past any half-fen tie the amounts can reach."""
    value = Fraction(value)
    with localcontext() as context:
        context.prec = 80
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1).scaleb(-places))
