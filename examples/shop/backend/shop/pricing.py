"""Prices: coupons, VAT and rounding. Money is always ``Decimal``, never ``float``."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Dict, Optional

CENT = Decimal("0.01")

VAT_RATES: Dict[str, Decimal] = {
    "DE": Decimal("0.19"),
    "FR": Decimal("0.20"),
    "NL": Decimal("0.21"),
    "IT": Decimal("0.22"),
}

COUPONS: Dict[str, Decimal] = {
    "WELCOME10": Decimal("0.10"),
    "SPRING25": Decimal("0.25"),
}


class UnknownCoupon(ValueError):
    """Raised for a coupon code that does not exist or has expired."""


def round_money(amount: Decimal) -> Decimal:
    """Round to cents, banker's rounding (what the accounting system expects)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def apply_coupon(subtotal: Decimal, code: Optional[str]) -> Decimal:
    if not code:
        return subtotal
    try:
        rate = COUPONS[code.upper()]
    except KeyError:
        raise UnknownCoupon(code) from None
    return round_money(subtotal * (1 - rate))


def vat_for(country: str, net: Decimal) -> Decimal:
    """VAT due on ``net`` for a destination ``country`` (ISO 3166 alpha-2); 0 outside the EU list."""
    return round_money(net * VAT_RATES.get(country.upper(), Decimal("0")))


def gross_total(subtotal: Decimal, country: str, coupon: Optional[str] = None) -> Decimal:
    """Subtotal minus coupon plus VAT: the amount charged to the customer."""
    net = apply_coupon(subtotal, coupon)
    return round_money(net + vat_for(country, net))
