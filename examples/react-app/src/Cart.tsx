import { useEcrm, useExperiment, useTrack } from '@ecrm/react'
import { useEffect, useState } from 'react'
import type { Product } from './catalog.js'
import { productProperties } from './catalog.js'
import { SHOP_API } from './config.js'

/** A product and how many of it are in the cart. */
export interface CartLine {
  readonly product: Product
  readonly quantity: number
}

type Status =
  | { readonly kind: 'idle' }
  | { readonly kind: 'sending' }
  | { readonly kind: 'ordered'; readonly orderId: string }
  | { readonly kind: 'failed'; readonly message: string }

/**
 * The cart and checkout. The browser tracks "Cart Viewed" and "Checkout Started"; the order itself
 * is placed on the shop backend (`POST /orders`), which tracks "Order Completed" server-side, where
 * the amount can be trusted. The visitor's anonymous id goes along so the backend's event joins
 * their browsing history. The checkout button's label is an A/B test.
 */
export function Cart({ lines, onOrdered }: { readonly lines: readonly CartLine[]; readonly onOrdered: () => void }) {
  const track = useTrack()
  const client = useEcrm()
  const cta = useExperiment('checkout_cta')
  const [status, setStatus] = useState<Status>({ kind: 'idle' })
  // Money in cents while summing, so 0.1 + 0.2 stays 0.3.
  const total = lines.reduce((sum, line) => sum + Math.round(line.product.price * 100) * line.quantity, 0) / 100
  const products = lines.map((line) => productProperties(line.product, line.quantity))

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per visit of the page, not per change of the lines.
  useEffect(() => {
    track('Cart Viewed', { cart_id: 'session', products })
  }, [track])

  async function checkout(): Promise<void> {
    const orderId = `o-${crypto.randomUUID().slice(0, 8)}`
    track('Checkout Started', { order_id: orderId, value: total, currency: 'EUR', products })
    setStatus({ kind: 'sending' })
    const user = client?.user()
    try {
      const response = await fetch(`${SHOP_API}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          orderId,
          currency: 'EUR',
          products,
          anonymousId: user?.anonymousId,
          userId: user?.userId,
        }),
      })
      if (!response.ok) throw new Error(`the shop answered ${response.status}`)
      setStatus({ kind: 'ordered', orderId })
      onOrdered()
    } catch (error) {
      setStatus({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
    }
  }

  if (status.kind === 'ordered') return <p role="status">Thank you! Order {status.orderId} is on its way.</p>
  if (lines.length === 0) return <p>Your cart is empty.</p>
  // Until the client exists (first render) `cta` is undefined: render the control.
  const label = typeof cta?.value === 'string' ? cta.value : 'Checkout'
  return (
    <>
      <ul className="products">
        {lines.map((line) => (
          <li key={line.product.id}>
            <span>
              {line.quantity} × {line.product.name}
            </span>
            <span>{(line.product.price * line.quantity).toFixed(2)} €</span>
          </li>
        ))}
      </ul>
      <p>Total: {total.toFixed(2)} €</p>
      <button type="button" className="cta" disabled={status.kind === 'sending'} onClick={() => void checkout()}>
        {label}
      </button>
      {status.kind === 'failed' && <p role="alert">The order failed: {status.message}. Try again.</p>}
    </>
  )
}
