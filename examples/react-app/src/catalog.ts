/** A product of the example shop. Prices in EUR, major units (19.99 = 19 euros 99 cents). */
export interface Product {
  readonly id: string
  readonly name: string
  readonly category: string
  readonly price: number
}

export const catalog: readonly Product[] = [
  { id: 'sku-mug', name: 'Stoneware mug', category: 'Kitchen', price: 14.5 },
  { id: 'sku-tee', name: 'Organic cotton tee', category: 'Apparel', price: 24 },
  { id: 'sku-lamp', name: 'Reading lamp', category: 'Home', price: 59.9 },
]

/** The Segment e-commerce v2 properties of a product. */
export const productProperties = (product: Product, quantity = 1): Record<string, unknown> => ({
  product_id: product.id,
  name: product.name,
  category: product.category,
  price: product.price,
  quantity,
  currency: 'EUR',
})
