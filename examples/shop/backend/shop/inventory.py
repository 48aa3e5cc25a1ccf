"""Stock bookkeeping: low-stock alerts and restock suggestions for the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List

from shop.models import Product

LOW_STOCK_THRESHOLD = 5


@dataclass(frozen=True)
class RestockSuggestion:
    """How many units of a SKU to order, and why."""

    sku: str
    quantity: int
    reason: str


def low_stock(products: Iterable[Product], threshold: int = LOW_STOCK_THRESHOLD) -> List[Product]:
    """Active products at or below ``threshold`` units, lowest stock first."""
    found = [p for p in products if p.active and p.stock <= threshold]
    return sorted(found, key=lambda p: (p.stock, p.sku))


def suggest_restock(products: Iterable[Product], target: int = 50) -> List[RestockSuggestion]:
    suggestions = []
    for product in low_stock(products):
        missing = target - product.stock
        if missing > 0:
            reason = "out of stock" if product.stock == 0 else f"only {product.stock} left"
            suggestions.append(RestockSuggestion(product.sku, missing, reason))
    return suggestions
