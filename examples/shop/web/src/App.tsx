import { useEffect, useState } from "react";
import { fetchProducts, type Product } from "./api/client";
import { ProductCard } from "./components/ProductCard";
import { Cart } from "./components/Cart";

export default function App() {
  const [products, setProducts] = useState<Product[]>([]);
  const [cart, setCart] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetchProducts(1).then(setProducts, (e: Error) => setError(e.message));
  }, []);

  const add = (sku: string) => setCart((c) => ({ ...c, [sku]: (c[sku] ?? 0) + 1 }));

  return (
    <main className="layout">
      <img src="/logo.svg" alt="Shop" width={96} height={32} />
      {error && <p role="alert">{error}</p>}
      <section className="grid">
        {products.map((p) => (
          <ProductCard key={p.sku} product={p} onAdd={() => add(p.sku)} />
        ))}
      </section>
      <Cart lines={cart} products={products} />
    </main>
  );
}
