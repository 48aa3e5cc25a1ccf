"""Domain models: products, carts and orders. Plain dataclasses, no ORM coupling."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import List, Optional


class OrderStatus(str, enum.Enum):
    """Where an order is in its life cycle."""

    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


@dataclass
class Product:
    """A sellable item of the catalogue."""

    sku: str
    name: str
    price: Decimal
    stock: int = 0
    active: bool = True

    def in_stock(self, quantity: int = 1) -> bool:
        """True when at least ``quantity`` units can be reserved."""
        return self.active and self.stock >= quantity


@dataclass
class LineItem:
    """One product line of a cart or an order."""

    sku: str
    quantity: int
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class Cart:
    """A customer's cart before checkout."""

    customer_id: int
    items: List[LineItem] = field(default_factory=list)
    coupon: Optional[str] = None

    def add(self, product: Product, quantity: int = 1) -> LineItem:
        """Add ``quantity`` of ``product``, merging with an existing line of the same SKU."""
        for item in self.items:
            if item.sku == product.sku:
                item.quantity += quantity
                return item
        item = LineItem(product.sku, quantity, product.price)
        self.items.append(item)
        return item

    def remove(self, sku: str) -> None:
        """Drop the line for ``sku``; a missing SKU is not an error."""
        self.items = [item for item in self.items if item.sku != sku]

    @property
    def subtotal(self) -> Decimal:
        """Sum of the line totals, before discounts and tax."""
        return sum((item.total for item in self.items), Decimal("0"))


@dataclass
class Order:
    """A placed order. Totals are frozen at checkout time."""

    id: int
    customer_id: int
    items: List[LineItem]
    total: Decimal
    status: OrderStatus = OrderStatus.PENDING
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def can_cancel(self) -> bool:
        """Orders can be cancelled until they ship."""
        return self.status in (OrderStatus.PENDING, OrderStatus.PAID)

    def mark(self, status: OrderStatus) -> None:
        self.status = status
