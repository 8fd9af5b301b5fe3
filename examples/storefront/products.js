// The demo shop's catalogue. Prices in EUR.
export const products = [
  { id: 'sku-espresso', name: 'Espresso Beans 1 kg', category: 'Coffee', price: 24.9, color: '#6b3e26' },
  { id: 'sku-filter', name: 'Filter Roast 500 g', category: 'Coffee', price: 13.5, color: '#a0522d' },
  { id: 'sku-decaf', name: 'Swiss Water Decaf 250 g', category: 'Coffee', price: 9.9, color: '#c68e5b' },
  { id: 'sku-grinder', name: 'Burr Grinder', category: 'Equipment', price: 129, color: '#445566' },
  { id: 'sku-kettle', name: 'Gooseneck Kettle', category: 'Equipment', price: 59, color: '#2f4f4f' },
  { id: 'sku-dripper', name: 'Ceramic Dripper', category: 'Equipment', price: 22, color: '#8fa3b5' },
  { id: 'sku-mug', name: 'Stoneware Mug', category: 'Accessories', price: 14, color: '#b08968' },
  { id: 'sku-filters', name: 'Paper Filters ×100', category: 'Accessories', price: 5.5, color: '#d9c5a0' },
]

/** Finds a product by id. */
export function findProduct(id) {
  return products.find((product) => product.id === id)
}

/** The Segment e-commerce v2 product object for a product and quantity. */
export function toSegmentProduct(product, quantity = 1) {
  return {
    product_id: product.id,
    sku: product.id,
    name: product.name,
    category: product.category,
    price: product.price,
    quantity,
    currency: 'EUR',
  }
}
