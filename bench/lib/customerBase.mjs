// A generated customer base for the refresh benchmark, written straight into a store's tables.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRandom } from '../data/crmRules.mjs'
import { sharedData } from './paths.mjs'
import { progress } from './result.mjs'

const DAY = 86_400_000

/**
 * Generates `count` customers straight into the tables, 10,000 a statement: 30 % visitors who
 * never bought, 70 % buyers whose (x, t_x, T, z̄) are drawn from the CDNOW sample's customers
 * (as the rfmClv bench does), turned into dated orders: the first T weeks ago, x repeats evenly
 * up to t_x, each around z̄.
 */
export async function generateCustomers(store, emptyProfile, count, now) {
  const rows = readFileSync(join(sharedData, 'cdnow_customers_summary_with_transactions.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number))
  const random = createRandom(11)
  const WEEK = 7 * DAY
  const chunk = 10_000
  for (let from = 0; from < count; from += chunk) {
    const ids = []
    const bodies = []
    const orderCounts = []
    const revenues = []
    const firstSeen = []
    const lastSeen = []
    const lastOrders = []
    for (let i = from; i < Math.min(count, from + chunk); i++) {
      const id = `c${String(i).padStart(8, '0')}`
      const profile = emptyProfile(id)
      const [, x, tx, T, zbar] = rows[Math.floor(random() * rows.length)]
      const first = now - T * WEEK - Math.floor(random() * DAY)
      if (random() < 0.7) {
        const times = [first, ...Array.from({ length: x }, (_, k) => first + ((k + 1) * tx * WEEK) / Math.max(x, 1))]
        profile.orders.recent = times.map((at, k) => ({
          id: `${id}-${k}`,
          completedAt: Math.round(at),
          total: Math.round((zbar || 20) * (0.7 + 0.6 * random()) * 100) / 100,
          currency: 'EUR',
          refunded: 0,
          fullyRefunded: false,
          cancelledAt: null,
        }))
        const gross = profile.orders.recent.reduce((sum, order) => sum + order.total, 0)
        const last = profile.orders.recent[profile.orders.recent.length - 1].completedAt
        profile.money = {
          ...profile.money,
          currency: 'EUR',
          orderCount: times.length,
          grossRevenue: gross,
          revenue: gross,
          aov: gross / times.length,
          firstOrderAt: Math.round(first),
          lastOrderAt: last,
          byCurrency: { EUR: { orders: times.length, gross, refunds: 0 } },
        }
        profile.lastSeenAt = last
      } else profile.lastSeenAt = Math.round(first)
      profile.firstSeenAt = Math.round(first)
      ids.push(id)
      bodies.push(JSON.stringify(profile))
      orderCounts.push(profile.money.orderCount)
      revenues.push(profile.money.revenue)
      firstSeen.push(new Date(profile.firstSeenAt).toISOString())
      lastSeen.push(new Date(profile.lastSeenAt).toISOString())
      lastOrders.push(profile.money.lastOrderAt === null ? null : new Date(profile.money.lastOrderAt).toISOString())
    }
    await store.query(
      `with c as (insert into ecrm_customers (id, first_seen_at, last_seen_at) select * from unnest($1::text[], $5::timestamptz[], $6::timestamptz[]))
       insert into ecrm_profiles (customer_id, profile, order_count, revenue, currency, first_seen_at, last_seen_at, last_order_at)
       select id, body::jsonb, n, revenue, case when n > 0 then 'EUR' end, f, l, o
         from unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[]) as t(id, body, n, revenue, f, l, o)`,
      [ids, bodies, orderCounts, revenues, firstSeen, lastSeen, lastOrders],
    )
    if ((from + chunk) % 100_000 === 0) progress(`generated ${(from + chunk).toLocaleString('en')} customers`)
  }
}
