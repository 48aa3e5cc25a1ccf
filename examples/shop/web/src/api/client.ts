// Typed client for the shop API (see docs/api.md). The dev server proxies /api to Flask.

export interface Product {
  sku: string;
  name: string;
  price: string;
  inStock: boolean;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: string;
}

export interface Order {
  id: number;
  status: "pending" | "paid" | "shipped" | "cancelled" | "refunded";
  total: string;
  items: OrderLine[];
  createdAt: string;
}

export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

const BASE = "/api/v1";

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(BASE + path, {
    headers: { "Content-Type": "application/json" },
    ...init,
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.error ?? response.statusText);
  }
  return (await response.json()) as T;
}

export function fetchProducts(page = 1): Promise<Product[]> {
  return request<Product[]>(`/products?page=${page}`);
}

export function createOrder(body: { customerId: number; items: OrderLine[]; coupon?: string }): Promise<Order> {
  return request<Order>("/orders", { method: "POST", body: JSON.stringify(body) });
}

export function cancelOrder(id: number): Promise<Order> {
  return request<Order>(`/orders/${id}/cancel`, { method: "POST" });
}
