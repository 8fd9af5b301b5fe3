/** @typedef {import('@ecrm/node').NodeClient} NodeClient */

/**
 * @typedef {object} OrderLine
 * @property {string} product_id
 * @property {number} price Unit price in the order's currency (major units, e.g. 19.99 EUR).
 * @property {number} [quantity] Default 1.
 * @property {string} [name]
 * @property {string} [category]
 */

/**
 * Reads and checks the body of `POST /orders`. The shop backend is the source of truth for
 * orders: the total is computed here from the lines, never taken from the browser.
 * @param {unknown} body
 * @returns {{ ok: true, order: { orderId: string, userId?: string, anonymousId?: string, currency: string, products: OrderLine[] } } | { ok: false, message: string }}
 */
export function parseOrder(body) {
  if (typeof body !== 'object' || body === null) return { ok: false, message: 'the body must be a JSON object' }
  const { orderId, userId, anonymousId, currency = 'EUR', products } = /** @type {Record<string, unknown>} */ (body)
  if (typeof orderId !== 'string' || orderId === '') return { ok: false, message: 'orderId: give a non-empty string' }
  if (typeof userId !== 'string' && typeof anonymousId !== 'string')
    return { ok: false, message: 'userId or anonymousId: name the customer' }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    return { ok: false, message: 'currency: give an ISO 4217 code such as "EUR"' }
  if (!Array.isArray(products) || products.length === 0)
    return { ok: false, message: 'products: give at least one line' }
  for (const [index, line] of products.entries()) {
    if (typeof line?.product_id !== 'string' || typeof line.price !== 'number' || !(line.price >= 0)) {
      return { ok: false, message: `products[${index}]: give { product_id: string, price: number >= 0, quantity? }` }
    }
  }
  return {
    ok: true,
    order: {
      orderId,
      ...(typeof userId === 'string' ? { userId } : {}),
      ...(typeof anonymousId === 'string' ? { anonymousId } : {}),
      currency,
      products,
    },
  }
}

/**
 * Tracks a completed order server-side with the ecrm client: Segment e-commerce v2
 * "Order Completed". The order id is the idempotency key (`messageId`), so a shop that retries
 * its own call records the order once: the ingest handler dedupes by `messageId`.
 *
 * @param {NodeClient} client
 * @param {ReturnType<typeof parseOrder> & { ok: true }} parsed
 */
export function trackOrder(client, { order }) {
  const quantityOf = (/** @type {OrderLine} */ line) => line.quantity ?? 1
  // Cents avoid 0.1 + 0.2 drift in the sum; the event carries major units, as Segment's spec does.
  const totalCents = order.products.reduce((sum, line) => sum + Math.round(line.price * 100) * quantityOf(line), 0)
  const accepted = client.track({
    ...(order.userId === undefined ? {} : { userId: order.userId }),
    ...(order.anonymousId === undefined ? {} : { anonymousId: order.anonymousId }),
    messageId: `order-${order.orderId}`,
    event: 'Order Completed',
    properties: {
      order_id: order.orderId,
      total: totalCents / 100,
      revenue: totalCents / 100,
      currency: order.currency,
      products: order.products.map((line) => ({ ...line, quantity: quantityOf(line) })),
    },
  })
  return { orderId: order.orderId, messageId: accepted.messageId, total: totalCents / 100, currency: order.currency }
}
