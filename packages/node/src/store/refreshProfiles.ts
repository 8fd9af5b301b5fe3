import { createModelFitter } from '@ecrm/core'
import type { Clock, CustomerProfile, DeriveConfig, FitProfile, ProfileDeriver, SegmentChange } from '@ecrm/core'
import type { ModelCache } from './modelStore.js'
import { writeDerivedProfiles } from './profileRows.js'
import { writeSegmentChanges } from './segmentWrites.js'
import type { RefreshOptions, RefreshResult, SqlDriver } from './storeTypes.js'

/** What a full refresh needs from its store. */
export interface RefreshContext {
  readonly driver: SqlDriver
  readonly config: DeriveConfig
  readonly deriver: ProfileDeriver
  readonly models: ModelCache
  /** The store's clock: the reference date unless the call names one. */
  readonly clock: Clock
  /** Told each page's segment changes once the page committed. */
  readonly onChanges: (changes: readonly SegmentChange[]) => Promise<void>
}

interface BuyerRow {
  customer_id: string
  orders: CustomerProfile['orders']
  order_count: number
  revenue: number
  last_order_at: Date | string | null
}

/**
 * The full job: refits the model on the whole base, then re-derives every profile with it.
 * Pass 1 reads only buyers' orders and money columns, a page at a time by customer id (keyset),
 * into the fitter (three numbers a buyer plus a bounded CLV sample); the fit is stored at once,
 * so ingest derives with it from then on. Pass 2 re-derives a page at a time, each page in its
 * own transaction with its rows locked (`for update`, in id order as ingest locks them), so a
 * batch folded meanwhile is never overwritten with an older profile; the next page is read while
 * one is written, and only the derived fields are written back.
 */
export async function refreshProfiles(context: RefreshContext, options: RefreshOptions = {}): Promise<RefreshResult> {
  const { driver, config, deriver, models } = context
  const pageSize = options.pageSize ?? 5_000
  const now = options.now ?? context.clock.now()
  const started = Date.now()
  const fitter = createModelFitter(config, { now })
  const [nonBuyers] = await driver.query<{ n: number }>(
    'select count(*)::int as n from ecrm_profiles where order_count = 0',
  )
  fitter.skip(nonBuyers?.n ?? 0)
  for (let after = ''; ; ) {
    const rows = await driver.query<BuyerRow>(
      `select customer_id, profile->'orders' as orders, order_count, revenue, last_order_at
         from ecrm_profiles where customer_id > $1 and order_count > 0 order by customer_id limit $2`,
      [after, pageSize],
    )
    for (const row of rows) fitter.add(fitInput(row))
    if (rows.length < pageSize) break
    after = rows[rows.length - 1]?.customer_id ?? after
  }
  const model = fitter.finish()
  await models.put(driver, model)

  let changed = 0
  let profiles = 0
  const derivePage = (after: string): PageRun => {
    let onRead: (read: PageRead) => void = () => undefined
    const read = new Promise<PageRead>((resolve) => (onRead = resolve))
    const done = driver.transaction(async (tx) => {
      const rows = await tx.query<{ customer_id: string; profile: CustomerProfile }>(
        'select customer_id, profile from ecrm_profiles where customer_id > $1 order by customer_id limit $2 for update',
        [after, pageSize],
      )
      onRead({ count: rows.length, last: rows[rows.length - 1]?.customer_id })
      const pageChanges: SegmentChange[] = []
      const written = rows.map(({ customer_id: id, profile }): [string, CustomerProfile] => {
        const derived = deriver.derive(profile, model, now)
        pageChanges.push(...derived.changes)
        return [id, derived.profile]
      })
      await writeDerivedProfiles(tx, written)
      await writeSegmentChanges(tx, pageChanges)
      return { count: rows.length, changes: pageChanges }
    })
    // A page that fails before its rows are read still ends the wait for them.
    done.catch(() => onRead({ count: 0, last: undefined }))
    return { read, done }
  }
  // Two pages in flight: the next page's rows are read (and then derived) while this page's
  // write runs, so Node's deriving and the database's writing overlap. Each stays one
  // transaction locking its own rows in id order; changes are told in page order.
  for (let page: PageRun | null = derivePage(''); page !== null; ) {
    const { count, last }: PageRead = await page.read
    const next: PageRun | null = count === pageSize && last !== undefined ? derivePage(last) : null
    let changes: readonly SegmentChange[]
    try {
      ;({ changes } = await page.done)
    } catch (error) {
      await next?.done.catch(() => undefined)
      throw error
    }
    profiles += count
    changed += changes.length
    if (changes.length > 0) await context.onChanges(changes)
    page = next
  }
  return {
    customers: profiles,
    buyers: model.buyers,
    rfmMethod: model.rfm.method,
    clvFitted: model.clv !== null,
    segmentChanges: changed,
    fittedAt: now,
    durationMs: Date.now() - started,
  }
}

/** A page's rows once read (its last id keys the next page), and the page once committed. */
interface PageRead {
  readonly count: number
  readonly last: string | undefined
}
interface PageRun {
  readonly read: Promise<PageRead>
  readonly done: Promise<{ readonly count: number; readonly changes: readonly SegmentChange[] }>
}

function fitInput(row: BuyerRow): FitProfile {
  return {
    id: row.customer_id,
    orders: row.orders,
    money: {
      lastOrderAt: row.last_order_at === null ? null : new Date(row.last_order_at).getTime(),
      orderCount: row.order_count,
      revenue: row.revenue,
    },
  }
}
