"""Use cases: checkout, cancellation, catalogue queries. Transaction boundaries live here."""

from __future__ import annotations

from decimal import Decimal
from typing import List, Optional

from shop import pricing
from shop.models import Cart, Order, OrderStatus, Product
from shop.repository import OrderRepository, ProductRepository, engine


class CheckoutError(Exception):
    """The cart cannot be turned into an order (stock, coupon, empty cart)."""


class OrderService:
    """Places and changes orders, one database transaction per call."""

    def __init__(self, country: str = "DE") -> None:
        self.country = country

    def checkout(self, cart: Cart) -> Order:
        """Reserve stock for every line and create a pending order.

        Raises :class:`CheckoutError` when a line cannot be reserved; nothing is reserved then.
        """
        if not cart.items:
            raise CheckoutError("cart is empty")
        try:
            total = pricing.gross_total(cart.subtotal, self.country, cart.coupon)
        except pricing.UnknownCoupon as exc:
            raise CheckoutError(f"unknown coupon {exc}") from exc
        with engine().begin() as conn:
            catalogue = ProductRepository(conn)
            for item in cart.items:
                if not catalogue.reserve(item.sku, item.quantity):
                    raise CheckoutError(f"{item.sku}: not enough stock")
            return OrderRepository(conn).add(cart.customer_id, cart.items, total)

    def cancel(self, order_id: int) -> Order:
        """Cancel an order that has not shipped yet."""
        with engine().begin() as conn:
            repo = OrderRepository(conn)
            order = repo.get(order_id)
            if order is None:
                raise LookupError(order_id)
            if not order.can_cancel():
                raise CheckoutError(f"order {order_id} is {order.status.value}")
            repo.set_status(order_id, OrderStatus.CANCELLED)
            order.mark(OrderStatus.CANCELLED)
            return order

    def history(self, customer_id: int) -> List[Order]:
        with engine().connect() as conn:
            return list(OrderRepository(conn).for_customer(customer_id))


class CatalogueService:
    """Read-only catalogue queries for the storefront."""

    def page(self, page: int = 1, size: int = 24) -> List[Product]:
        """One page of active products (1-based ``page``)."""
        with engine().connect() as conn:
            return ProductRepository(conn).list_active(limit=size, offset=(page - 1) * size)

    def find(self, sku: str) -> Optional[Product]:
        """The product with ``sku``, or ``None``."""
        with engine().connect() as conn:
            return ProductRepository(conn).get(sku)


def quote(cart: Cart, country: str) -> Decimal:
    return pricing.gross_total(cart.subtotal, country, cart.coupon)
