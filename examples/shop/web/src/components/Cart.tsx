import { useState } from "react";
import { createOrder, type Product } from "../api/client";
import { Button } from "./Button";

interface Props {
  lines: Record<string, number>;
  products: Product[];
}

export function Cart({ lines, products }: Props) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const skus = Object.keys(lines);
  if (skus.length === 0) return <aside className="cart">Your cart is empty.</aside>;

  const checkout = async () => {
    setBusy(true);
    try {
      const items = skus.map((sku) => ({
        sku,
        quantity: lines[sku],
        unitPrice: products.find((p) => p.sku === sku)?.price ?? "0",
      }));
      const order = await createOrder({ customerId: 1, items });
      setMessage(`Order #${order.id} placed.`);
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside className="cart">
      <ul>
        {skus.map((sku) => (
          <li key={sku}>
            {lines[sku]} × {products.find((p) => p.sku === sku)?.name ?? sku}
          </li>
        ))}
      </ul>
      <Button loading={busy} onClick={checkout}>Checkout</Button>
      {message && <p>{message}</p>}
    </aside>
  );
}
