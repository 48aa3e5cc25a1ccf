from __future__ import annotations

from decimal import Decimal

from shop.models import Cart, Order, OrderStatus, Product


def test_add_merges_lines(mug: Product) -> None:
    cart = Cart(customer_id=1)
    cart.add(mug)
    cart.add(mug, 2)
    assert len(cart.items) == 1
    assert cart.items[0].quantity == 3


def test_subtotal(cart: Cart) -> None:
    assert cart.subtotal == Decimal("25.00")


def test_remove_missing_sku_is_noop(cart: Cart) -> None:
    cart.remove("NOPE")
    assert len(cart.items) == 1


def test_inactive_product_is_not_in_stock(mug: Product) -> None:
    mug.active = False
    assert not mug.in_stock()


def test_shipped_order_cannot_be_cancelled() -> None:
    order = Order(1, 1, [], Decimal("0"), status=OrderStatus.SHIPPED)
    assert not order.can_cancel()
