import { useTrack } from '@ecrm/react'
import { useEffect } from 'react'
import type { Product } from './catalog.js'
import { productProperties } from './catalog.js'

/** The catalog: "Product List Viewed" when shown, "Product Added" on each add. */
export function ProductList({
  products,
  onAdd,
}: {
  readonly products: readonly Product[]
  readonly onAdd: (product: Product) => void
}) {
  const track = useTrack() // stable: safe in effect dependencies
  useEffect(() => {
    track('Product List Viewed', {
      list_id: 'all',
      products: products.map((product, index) => ({ ...productProperties(product), position: index + 1 })),
    })
  }, [track, products])

  return (
    <ul className="products">
      {products.map((product) => (
        <li key={product.id}>
          <span>{product.name}</span>
          <span>{product.price.toFixed(2)} €</span>
          <button
            type="button"
            data-sku={product.id}
            onClick={() => {
              track('Product Added', productProperties(product))
              onAdd(product)
            }}
          >
            Add to cart
          </button>
        </li>
      ))}
    </ul>
  )
}
