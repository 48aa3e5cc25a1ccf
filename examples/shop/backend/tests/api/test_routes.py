from __future__ import annotations

import pytest

from shop import create_app
from shop.repository import ProductRepository
from shop.settings import Settings


@pytest.fixture
def client(db, mug):
    app = create_app(Settings(database_url="sqlite+pysqlite:///:memory:"))
    with db.begin() as conn:
        ProductRepository(conn).upsert(mug)
    return app.test_client()


def test_get_product(client) -> None:
    response = client.get("/api/v1/products/MUG-001")
    assert response.status_code == 200
    assert response.get_json()["inStock"] is True


def test_unknown_product_is_404(client) -> None:
    assert client.get("/api/v1/products/NOPE").status_code == 404


def test_create_order_conflict_on_stock(client) -> None:
    body = {"customerId": 1, "items": [{"sku": "MUG-001", "quantity": 99, "unitPrice": "12.50"}]}
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 409
