from __future__ import annotations

import pytest

from shop.models import Cart, OrderStatus
from shop.repository import ProductRepository
from shop.services import CheckoutError, OrderService


@pytest.fixture
def stocked(db, mug):
    with db.begin() as conn:
        ProductRepository(conn).upsert(mug)
    return db


def test_checkout_reserves_stock(stocked, cart: Cart) -> None:
    order = OrderService(country="DE").checkout(cart)
    assert order.status is OrderStatus.PENDING
    with stocked.connect() as conn:
        assert ProductRepository(conn).get("MUG-001").stock == 8


def test_empty_cart_is_rejected(stocked) -> None:
    with pytest.raises(CheckoutError, match="empty"):
        OrderService().checkout(Cart(customer_id=1))


def test_cancel(stocked, cart: Cart) -> None:
    service = OrderService()
    order = service.checkout(cart)
    assert service.cancel(order.id).status is OrderStatus.CANCELLED
