from __future__ import annotations

from decimal import Decimal

from shop.models import LineItem, OrderStatus, Product
from shop.repository import OrderRepository, ProductRepository


def test_upsert_then_get(db, mug: Product) -> None:
    with db.begin() as conn:
        ProductRepository(conn).upsert(mug)
        assert ProductRepository(conn).get("MUG-001") == mug


def test_reserve_fails_when_short(db, mug: Product) -> None:
    with db.begin() as conn:
        repo = ProductRepository(conn)
        repo.upsert(mug)
        assert repo.reserve("MUG-001", 10)
        assert not repo.reserve("MUG-001", 1)


def test_order_round_trip(db, mug: Product) -> None:
    with db.begin() as conn:
        ProductRepository(conn).upsert(mug)
        orders = OrderRepository(conn)
        order = orders.add(7, [LineItem("MUG-001", 1, Decimal("12.50"))], Decimal("14.88"))
        orders.set_status(order.id, OrderStatus.PAID)
        loaded = orders.get(order.id)
    assert loaded is not None
    assert loaded.status is OrderStatus.PAID
    assert loaded.items[0].sku == "MUG-001"
