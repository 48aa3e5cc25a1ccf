from __future__ import annotations

from decimal import Decimal

import pytest

from shop import repository
from shop.models import Cart, Product


@pytest.fixture
def db():
    """A fresh in-memory database with the schema created."""
    engine = repository.init_engine("sqlite+pysqlite:///:memory:")
    repository.metadata.create_all(engine)
    yield engine
    repository.metadata.drop_all(engine)


@pytest.fixture
def mug() -> Product:
    return Product(sku="MUG-001", name="Enamel mug", price=Decimal("12.50"), stock=10)


@pytest.fixture
def cart(mug: Product) -> Cart:
    cart = Cart(customer_id=42)
    cart.add(mug, 2)
    return cart
