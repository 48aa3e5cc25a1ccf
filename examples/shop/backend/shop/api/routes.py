"""The JSON routes of the storefront API (a Flask blueprint)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

from flask import Blueprint, abort, jsonify, request

from shop.models import Cart, LineItem, Order, Product
from shop.services import CatalogueService, CheckoutError, OrderService

api = Blueprint("api", __name__)
_orders = OrderService()
_catalogue = CatalogueService()


def product_json(product: Product) -> Dict[str, Any]:
    """The public JSON shape of a product (see docs/api.md)."""
    return {
        "sku": product.sku,
        "name": product.name,
        "price": str(product.price),
        "inStock": product.in_stock(),
    }


def order_json(order: Order) -> Dict[str, Any]:
    """The public JSON shape of an order (see docs/api.md)."""
    return {
        "id": order.id,
        "status": order.status.value,
        "total": str(order.total),
        "items": [
            {"sku": i.sku, "quantity": i.quantity, "unitPrice": str(i.unit_price)}
            for i in order.items
        ],
        "createdAt": order.created_at.isoformat(),
    }


@api.get("/products")
def list_products():
    """``GET /products?page=N`` — one page of the catalogue."""
    page = request.args.get("page", default=1, type=int)
    return jsonify([product_json(p) for p in _catalogue.page(page)])


@api.get("/products/<sku>")
def get_product(sku: str):
    """``GET /products/<sku>`` — 404 for an unknown SKU."""
    product = _catalogue.find(sku)
    if product is None:
        abort(404)
    return jsonify(product_json(product))


@api.post("/orders")
def create_order():
    """``POST /orders`` — checkout a cart sent as JSON; 201 with the order, 409 on stock errors."""
    body = request.get_json(force=True)
    cart = Cart(customer_id=int(body["customerId"]), coupon=body.get("coupon"))
    for line in body.get("items", []):
        cart.items.append(LineItem(line["sku"], int(line["quantity"]), Decimal(line["unitPrice"])))
    try:
        order = _orders.checkout(cart)
    except CheckoutError as exc:
        return jsonify({"error": str(exc)}), 409
    return jsonify(order_json(order)), 201


@api.post("/orders/<int:order_id>/cancel")
def cancel_order(order_id: int):
    try:
        order = _orders.cancel(order_id)
    except LookupError:
        abort(404)
    except CheckoutError as exc:
        return jsonify({"error": str(exc)}), 409
    return jsonify(order_json(order))
