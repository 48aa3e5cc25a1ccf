from __future__ import annotations

from decimal import Decimal

import pytest

from shop import pricing


@pytest.mark.parametrize(
    "amount, expected",
    [("1.005", "1.00"), ("1.015", "1.02"), ("2.675", "2.68")],
)
def test_round_money_is_bankers_rounding(amount: str, expected: str) -> None:
    assert pricing.round_money(Decimal(amount)) == Decimal(expected)


def test_coupon_is_case_insensitive() -> None:
    assert pricing.apply_coupon(Decimal("100"), "welcome10") == Decimal("90.00")


def test_unknown_coupon() -> None:
    with pytest.raises(pricing.UnknownCoupon):
        pricing.apply_coupon(Decimal("100"), "FREE")


def test_gross_total_germany() -> None:
    assert pricing.gross_total(Decimal("100"), "de") == Decimal("119.00")


def test_no_vat_outside_list() -> None:
    assert pricing.vat_for("US", Decimal("100")) == Decimal("0.00")
