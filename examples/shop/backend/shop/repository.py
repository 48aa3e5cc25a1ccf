"""Persistence: a thin repository layer over SQLAlchemy Core.

Services never see SQL; they call these functions with domain models.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator, List, Optional

import sqlalchemy as sa

from shop.models import LineItem, Order, OrderStatus, Product

metadata = sa.MetaData()

products = sa.Table(
    "products",
    metadata,
    sa.Column("sku", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("price", sa.Numeric(10, 2), nullable=False),
    sa.Column("stock", sa.Integer, nullable=False, default=0),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.Integer, nullable=False, index=True),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default="pending"),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column("order_id", sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("sku", sa.ForeignKey("products.sku"), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.Numeric(10, 2), nullable=False),
)

_engine: Optional[sa.engine.Engine] = None


def init_engine(url: str, echo: bool = False) -> sa.engine.Engine:
    """Create the process-wide engine (idempotent for the same URL)."""
    global _engine
    if _engine is None or str(_engine.url) != url:
        _engine = sa.create_engine(url, echo=echo, future=True)
    return _engine


def engine() -> sa.engine.Engine:
    if _engine is None:
        raise RuntimeError("init_engine() was not called")
    return _engine


class ProductRepository:
    """Reads and writes :class:`~shop.models.Product` rows."""

    def __init__(self, conn: sa.engine.Connection) -> None:
        self.conn = conn

    def get(self, sku: str) -> Optional[Product]:
        """The product with ``sku``, or ``None``."""
        row = self.conn.execute(sa.select(products).where(products.c.sku == sku)).first()
        return Product(**row._mapping) if row else None

    def list_active(self, limit: int = 100, offset: int = 0) -> List[Product]:
        """Active products ordered by name, one page at a time."""
        query = (
            sa.select(products)
            .where(products.c.active.is_(True))
            .order_by(products.c.name)
            .limit(limit)
            .offset(offset)
        )
        return [Product(**row._mapping) for row in self.conn.execute(query)]

    def reserve(self, sku: str, quantity: int) -> bool:
        """Atomically take ``quantity`` units out of stock; False when not enough is left."""
        result = self.conn.execute(
            sa.update(products)
            .where(products.c.sku == sku, products.c.stock >= quantity)
            .values(stock=products.c.stock - quantity)
        )
        return result.rowcount == 1

    def upsert(self, product: Product) -> None:
        values = dict(
            sku=product.sku,
            name=product.name,
            price=product.price,
            stock=product.stock,
            active=product.active,
        )
        updated = self.conn.execute(
            sa.update(products).where(products.c.sku == product.sku).values(**values)
        )
        if updated.rowcount == 0:
            self.conn.execute(sa.insert(products).values(**values))


class OrderRepository:
    """Reads and writes orders with their lines."""

    def __init__(self, conn: sa.engine.Connection) -> None:
        self.conn = conn

    def add(self, customer_id: int, items: List[LineItem], total: Decimal) -> Order:
        """Insert a new pending order and return it with its id."""
        result = self.conn.execute(
            sa.insert(orders).values(customer_id=customer_id, total=total, status="pending")
        )
        order_id = result.inserted_primary_key[0]
        self.conn.execute(
            sa.insert(order_lines),
            [
                dict(order_id=order_id, sku=i.sku, quantity=i.quantity, unit_price=i.unit_price)
                for i in items
            ],
        )
        return Order(order_id, customer_id, list(items), total)

    def get(self, order_id: int) -> Optional[Order]:
        """The order with its lines, or ``None``."""
        row = self.conn.execute(sa.select(orders).where(orders.c.id == order_id)).first()
        if row is None:
            return None
        lines = self.conn.execute(
            sa.select(order_lines).where(order_lines.c.order_id == order_id)
        )
        items = [LineItem(l.sku, l.quantity, l.unit_price) for l in lines]
        return Order(row.id, row.customer_id, items, row.total, OrderStatus(row.status))

    def set_status(self, order_id: int, status: OrderStatus) -> None:
        """Persist a status change."""
        self.conn.execute(
            sa.update(orders).where(orders.c.id == order_id).values(status=status.value)
        )

    def for_customer(self, customer_id: int) -> Iterator[Order]:
        ids = self.conn.execute(
            sa.select(orders.c.id).where(orders.c.customer_id == customer_id).order_by(orders.c.id)
        )
        for (order_id,) in ids:
            order = self.get(order_id)
            if order is not None:
                yield order
