import type { Product } from "../api/client";
import { Button } from "./Button";

interface Props {
  product: Product;
  onAdd: () => void;
}

export function ProductCard({ product, onAdd }: Props) {
  return (
    <article className="card">
      <h2>{product.name}</h2>
      <p className="price">{product.price} €</p>
      <Button onClick={onAdd} disabled={!product.inStock}>
        {product.inStock ? "Add to cart" : "Sold out"}
      </Button>
    </article>
  );
}
