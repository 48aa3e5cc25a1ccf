from __future__ import annotations

from decimal import Decimal

from shop.models import LineItem, Order
from shop.notifications import order_confirmation
from shop.settings import Settings


def test_confirmation_has_text_and_html() -> None:
    order = Order(5, 1, [LineItem("MUG-001", 1, Decimal("12.50"))], Decimal("14.88"))
    message = order_confirmation(order, "ada@example.com", Settings())
    assert message["Subject"] == "Your order #5"
    kinds = [part.get_content_type() for part in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
