// The cart lives in localStorage so it survives reloads, like a real shop's.
import { findProduct } from './products.js'

const key = 'demo-shop-cart'

/** The cart lines: [{ id, quantity }]. */
export function readCart() {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '[]')
  } catch {
    return []
  }
}

function writeCart(lines) {
  localStorage.setItem(key, JSON.stringify(lines))
}

/** Adds one of a product. */
export function addToCart(id) {
  const lines = readCart()
  const line = lines.find((entry) => entry.id === id)
  if (line) line.quantity += 1
  else lines.push({ id, quantity: 1 })
  writeCart(lines)
}

/** Removes a product's line. */
export function removeFromCart(id) {
  writeCart(readCart().filter((entry) => entry.id !== id))
}

/** Empties the cart (after an order). */
export function clearCart() {
  writeCart([])
}

/** Cart lines joined with their products, and the total in EUR. */
export function cartDetails() {
  const lines = readCart()
    .map((line) => ({ ...line, product: findProduct(line.id) }))
    .filter((line) => line.product)
  const total = lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0)
  return { lines, total: Math.round(total * 100) / 100 }
}
