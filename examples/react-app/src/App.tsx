import { usePageView } from '@ecrm/react'
import { useState } from 'react'
import { AccountForm } from './AccountForm.js'
import { Cart } from './Cart.js'
import type { CartLine } from './Cart.js'
import { catalog } from './catalog.js'
import type { Product } from './catalog.js'
import { ConsentBanner } from './ConsentBanner.js'
import { KeenShopperBanner } from './KeenShopperBanner.js'
import { ProductList } from './ProductList.js'
import { Link, usePath } from './router.js'

const titles: Record<string, string> = { '/': 'Products', '/cart': 'Cart', '/account': 'Account' }

/** The shop: three routes, a cart in React state, and the consent banner until the visitor answers. */
export function App() {
  const path = usePath()
  const title = titles[path] ?? 'Not found'
  // One page view per route, with the route's title; the first one included.
  usePageView(path, { title })
  const [cart, setCart] = useState<CartLine[]>([])
  const add = (product: Product): void =>
    setCart((lines) => {
      const line = lines.find((entry) => entry.product.id === product.id)
      if (line === undefined) return [...lines, { product, quantity: 1 }]
      return lines.map((entry) => (entry === line ? { ...entry, quantity: entry.quantity + 1 } : entry))
    })
  const count = cart.reduce((sum, line) => sum + line.quantity, 0)

  return (
    <>
      <header>
        <strong>ecrm shop</strong>
        <nav>
          <Link to="/">Products</Link>
          <Link to="/cart">Cart ({count})</Link>
          <Link to="/account">Account</Link>
        </nav>
      </header>
      <KeenShopperBanner />
      <main>
        <h1>{title}</h1>
        {path === '/' && <ProductList products={catalog} onAdd={add} />}
        {path === '/cart' && <Cart lines={cart} onOrdered={() => setCart([])} />}
        {path === '/account' && <AccountForm />}
      </main>
      <ConsentBanner />
    </>
  )
}
