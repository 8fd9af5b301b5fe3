import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RuleFiring } from '@ecrm/core'
import { createIngestHandler } from '../src/ingest/ingestHandler.js'
import { parseRules } from '../src/rules/loadRules.js'
import { createRuleRunner } from '../src/rules/ruleRunner.js'
import type { Store, StoreOptions } from '../src/store/storeTypes.js'
import { readRecipes } from './recipesDoc.js'
import { createManualTime } from './ruleRunnerContract.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Monday 2026-06-01 00:00 UTC. */
const T0 = Date.UTC(2026, 5, 1)
/** The scripted weeks, then a last schedule check. */
const END = T0 + 70 * DAY

/** A call a customer's site or backend makes, at a time of the script. */
type Call =
  | { readonly at: number; readonly who: string; readonly identify: Record<string, unknown> }
  | {
      readonly at: number
      readonly who: string
      readonly track: string
      readonly properties?: Record<string, unknown>
      readonly timestamp?: number
    }

/** How one recipe is exercised: the calls of its customers, and who gets it when. */
interface RecipeScript {
  readonly calls: readonly Call[]
  /** Every firing the recipe must make: customer and time, nothing else. */
  readonly fires: readonly { readonly who: string; readonly at: number }[]
}

const track = (at: number, who: string, event: string, properties: Record<string, unknown> = {}): Call => ({
  at,
  who,
  track: event,
  properties,
})
const identify = (at: number, who: string, traits: Record<string, unknown>): Call => ({ at, who, identify: traits })
const order = (at: number, who: string, id: string, total: number): Call =>
  track(at, who, 'Order Completed', { order_id: id, total, currency: 'EUR' })
/** An order that happened at `happenedAt`, sent (imported) at `at`. */
const pastOrder = (at: number, happenedAt: number, who: string, id: string): Call => ({
  ...order(at, who, id, 60),
  timestamp: happenedAt,
})

/**
 * The script of each recipe in docs/recipes.md that runs on the server, by rule id. All run at
 * once, in one store, over one timeline, so recipes fire for customers other recipes fired for.
 * Times are UTC; local times in comments. Schedules are checked hourly, as the runner does, and
 * the store's refresh (RFM recut, segment changes) runs daily at 03:00, as a job would.
 */
const scripts: Record<string, RecipeScript> = {
  welcome: {
    calls: [
      identify(T0 + 10 * HOUR, 'w-paris', { email: 'paris@shop.example', timezone: 'Europe/Paris' }),
      track(T0 + 10 * HOUR, 'w-paris', 'Signed Up'), // 12:00 in Paris
      track(T0 + 10 * HOUR, 'w-paris', 'Product Added', { product_id: 'sku-9' }), // and a cart reminder at 11:00
      track(T0 + 11 * HOUR, 'w-paris', 'Signed Up'), // once per customer
      identify(T0 + 4 * HOUR, 'w-night', { email: 'ny@shop.example', timezone: 'America/New_York' }),
      track(T0 + 4 * HOUR, 'w-night', 'Signed Up'), // 00:00 in New York: deferred to 08:00
    ],
    fires: [
      { who: 'w-paris', at: T0 + 10 * HOUR },
      { who: 'w-night', at: T0 + 12 * HOUR },
    ],
  },
  cart_abandoned: {
    calls: [
      track(T0 + 10 * HOUR, 'c-abandon', 'Product Added', { product_id: 'sku-1', price: 20 }),
      track(T0 + 10 * HOUR, 'c-buyer', 'Product Added', { product_id: 'sku-2', price: 40 }),
      order(T0 + 10.5 * HOUR, 'c-buyer', 'o-c1', 40),
      track(T0 + 10 * HOUR, 'c-restart', 'Product Added', { product_id: 'sku-3' }),
      track(T0 + 10 * HOUR + 40 * 60_000, 'c-restart', 'Product Added', { product_id: 'sku-4' }),
      track(T0 + 10 * HOUR, 'c-cooldown', 'Product Added', { product_id: 'sku-5' }),
      track(T0 + 13 * HOUR, 'c-cooldown', 'Product Added', { product_id: 'sku-5' }), // within the day: no second reminder
      track(T0 + DAY + 13 * HOUR, 'c-cooldown', 'Product Added', { product_id: 'sku-5' }), // past it: a new one
      track(T0 + 20.5 * HOUR, 'c-night', 'Product Added', { product_id: 'sku-6' }), // due 21:30 UTC: deferred to 08:00
    ],
    fires: [
      { who: 'w-paris', at: T0 + 11 * HOUR },
      { who: 'c-abandon', at: T0 + 11 * HOUR },
      { who: 'c-cooldown', at: T0 + 11 * HOUR },
      { who: 'c-restart', at: T0 + 11 * HOUR + 40 * 60_000 },
      { who: 'c-night', at: T0 + DAY + 8 * HOUR },
      { who: 'c-cooldown', at: T0 + DAY + 14 * HOUR },
    ],
  },
  birthday: {
    calls: [
      identify(T0 + HOUR, 'b-tokyo', { birthday: '1990-06-03', email: 'tokyo@shop.example', timezone: 'Asia/Tokyo' }),
      identify(T0 + HOUR, 'b-no-email', { birthday: '1990-06-03', timezone: 'Asia/Tokyo' }),
      identify(T0 + HOUR, 'b-tehran', { birthday: '1996-06-05', email: 'greg@shop.example', timezone: 'Asia/Tehran' }),
    ],
    fires: [
      { who: 'b-tokyo', at: Date.UTC(2026, 5, 3, 0) }, // 09:00 in Tokyo
      { who: 'b-tehran', at: Date.UTC(2026, 5, 5, 6) }, // the first hourly check from 09:00 in Tehran (+03:30)
    ],
  },
  birthday_persian: {
    calls: [
      // Born 16 Khordad 1375 (1996-06-05): 16 Khordad 1405 is 2026-06-06.
      identify(T0 + HOUR, 'p-tehran', {
        birthday: '1996-06-05',
        email: 'jalali@shop.example',
        calendar: 'persian',
        timezone: 'Asia/Tehran',
      }),
    ],
    fires: [{ who: 'p-tehran', at: Date.UTC(2026, 5, 6, 6) }],
  },
  win_back: {
    calls: [
      order(T0 + DAY + 9 * HOUR, 'wb-repeat', 'o-r1', 30),
      order(T0 + 2 * DAY + 9 * HOUR, 'wb-repeat', 'o-r2', 50), // the survey fires 3 days later: no effect on the 60 days
      order(T0 + DAY + 9 * HOUR, 'wb-once', 'o-o1', 30), // one order: not a repeat customer
      order(T0 + DAY + 9 * HOUR, 'wb-recent', 'o-n1', 30),
      order(T0 + 2 * DAY + 9 * HOUR, 'wb-recent', 'o-n2', 30),
      order(T0 + 40 * DAY + 9 * HOUR, 'wb-recent', 'o-n3', 30), // silent since day 40: not yet 60 days by the end
    ],
    fires: [
      { who: 'ar-lapsed', at: T0 + 10 * HOUR }, // history imported at 02:00: silent for 60 days already
      { who: 'ar-drift', at: T0 + 10 * HOUR },
      { who: 'wb-repeat', at: T0 + 62 * DAY + 10 * HOUR },
    ],
  },
  post_purchase_survey: {
    calls: [
      order(T0 + DAY + 9 * HOUR, 's-refund', 'o-s1', 25),
      track(T0 + 2 * DAY + 9 * HOUR, 's-refund', 'Order Refunded', { order_id: 'o-s1' }),
    ],
    fires: [
      { who: 'c-buyer', at: T0 + 10.5 * HOUR + 3 * DAY },
      { who: 'wb-once', at: T0 + 4 * DAY + 9 * HOUR },
      { who: 'wb-repeat', at: T0 + 5 * DAY + 9 * HOUR }, // the second order restarted the window
      { who: 'wb-recent', at: T0 + 5 * DAY + 9 * HOUR },
      { who: 'wb-recent', at: T0 + 43 * DAY + 9 * HOUR },
      { who: 'ch-three', at: T0 + 25 * DAY + 9 * HOUR },
      { who: 'ch-vip', at: T0 + 27 * DAY + 9 * HOUR },
      // Imported orders are rules' events when they arrive: 3 days after the import.
      { who: 'ar-lapsed', at: T0 + 3 * DAY + 2 * HOUR },
      { who: 'ar-drift', at: T0 + 3 * DAY + 2 * HOUR },
    ],
  },
  hot_lead: {
    calls: [
      identify(T0 + 3 * HOUR, 'hl-hot', {
        email: 'cto@bigcorp.example',
        title: 'CTO',
        company: { name: 'BigCorp', employee_count: 500 },
      }),
      track(T0 + 3 * HOUR, 'hl-hot', 'Lead Captured', { email: 'cto@bigcorp.example', form_type: 'demo' }),
      track(T0 + DAY + 3 * HOUR, 'hl-hot', 'Lead Captured', { email: 'cto@bigcorp.example', form_type: 'demo' }), // within the week: no second alert
      track(T0 + 8 * DAY + 3 * HOUR, 'hl-hot', 'Lead Captured', { email: 'cto@bigcorp.example', form_type: 'demo' }),
      identify(T0 + 3 * HOUR, 'hl-cold', { email: 'kid@gmail.com', title: 'Student' }),
      track(T0 + 3 * HOUR, 'hl-cold', 'Lead Captured', { email: 'kid@gmail.com', form_type: 'newsletter' }),
    ],
    fires: [
      { who: 'hl-hot', at: T0 + 3 * HOUR },
      { who: 'hl-hot', at: T0 + 8 * DAY + 3 * HOUR },
    ],
  },
  champions_thanks: {
    calls: [
      // Five orders in five days: R5 throughout; the fourth makes F4, a champion (fixed edges: 1/2/3/5 orders).
      ...[20, 21, 22, 23, 24].map((day) => order(T0 + day * DAY + 9 * HOUR, 'ch-vip', `o-v${day}`, 80)),
      ...[20, 21, 22].map((day) => order(T0 + day * DAY + 9 * HOUR, 'ch-three', `o-t${day}`, 80)), // F3: never a champion
    ],
    fires: [{ who: 'ch-vip', at: T0 + 23 * DAY + 9 * HOUR }], // the fifth order is inside the 30-day cooldown
  },
  at_risk_rescue: {
    calls: [
      // Three orders about 100 days ago, imported now: R2 F3 at ingest, at risk at once.
      ...[102, 101, 100].map((ago) => pastOrder(T0 + 2 * HOUR, T0 - ago * DAY + 9 * HOUR, 'ar-lapsed', `o-l${ago}`)),
      // Three orders 78 to 80 days ago: R3 (need attention) until the refresh finds them past 90 days.
      ...[80, 79, 78].map((ago) => pastOrder(T0 + 2 * HOUR, T0 - ago * DAY + 9 * HOUR, 'ar-drift', `o-d${ago}`)),
    ],
    fires: [
      { who: 'ar-lapsed', at: T0 + 2 * HOUR },
      { who: 'ar-drift', at: T0 + 14 * DAY + 3 * HOUR },
    ],
  },
}

/** What the contract needs: a store (PGlite or PostgreSQL) to put the whole pipeline on. */
export interface RecipesDatabase {
  readonly store: Store
  readonly cleanup?: () => Promise<void>
}

/** Opens the store with these options (its segment changes go to the rule runner). */
export type OpenRecipesDatabase = (options: StoreOptions) => Promise<RecipesDatabase>

let sequence = 0

/** The recipes of docs/recipes.md that run on the server, run through ingest → store → rule runner. */
export function runRecipesContract(name: string, open: OpenRecipesDatabase): void {
  const recipes = readRecipes().filter((recipe) => recipe.runsOn.includes('server'))
  // Validated as `loadRules` (and so `ecrm serve --rules`) validates a rules file.
  const rules = parseRules(recipes.map((recipe) => recipe.rule))

  describe(`docs/recipes.md on the server: ${name}`, () => {
    let db: RecipesDatabase
    const fired: RuleFiring[] = []
    const lastCallAt = new Map<string, number>()

    beforeAll(async () => {
      // As `ecrm serve` wires them: the store's segment changes are the runner's rule events.
      let runner: ReturnType<typeof createRuleRunner> | undefined
      const changesRun: Promise<unknown>[] = []
      const time = createManualTime(T0)
      // The store derives on the script's clock too (RFM recency, segment entry times).
      db = await open({
        clock: time.clock,
        onSegmentChanges: (changes) => changesRun.push(runner?.processSegmentChanges(changes) ?? Promise.resolve()),
      })
      const settleChanges = async (): Promise<void> => {
        while (changesRun.length > 0) await changesRun.shift()
      }
      // Polling and the hourly schedule loop are the runner's timers; the script checks the
      // schedules itself each hour instead, awaited, so every check completes at its hour.
      runner = createRuleRunner({
        store: db.store,
        rules,
        clock: time.clock,
        scheduler: time.scheduler,
        pollIntervalMs: 0,
        scheduleIntervalMs: 0,
        onFire: (firing) => void fired.push(firing),
      })
      time.watch(runner)
      await runner.start()
      const ingest = createIngestHandler({
        store: db.store,
        writeKeys: ['wk'],
        now: time.clock.now,
        onEvents: runner.processEvents,
      })
      const calls = recipes.flatMap((recipe) => scripts[recipe.rule.id]?.calls ?? []).sort((a, b) => a.at - b.at)
      let next = 0
      for (let hour = T0; hour <= END; hour += HOUR) {
        while (next < calls.length && (calls[next] as Call).at < hour + HOUR) {
          const at = (calls[next] as Call).at
          const batch: Call[] = []
          while (next < calls.length && (calls[next] as Call).at === at) batch.push(calls[next++] as Call)
          await time.setTo(at)
          await send(ingest, at, batch)
          await settleChanges()
          for (const call of batch) {
            const happened = 'timestamp' in call && call.timestamp !== undefined ? call.timestamp : at
            lastCallAt.set(call.who, Math.max(lastCallAt.get(call.who) ?? happened, happened))
          }
        }
        await time.setTo(hour + HOUR)
        if ((hour + HOUR - T0) % DAY === 3 * HOUR) {
          await db.store.refresh()
          await settleChanges()
        }
        await runner.checkSchedules()
      }
      runner.stop()
    }, 600_000)

    afterAll(async () => {
      await db?.store.close()
      await db?.cleanup?.()
    })

    it('has a script for every server recipe of the doc', () => {
      expect(recipes.map((recipe) => recipe.rule.id).filter((id) => scripts[id] === undefined)).toEqual([])
    })

    for (const recipe of recipes) {
      const script = scripts[recipe.rule.id]
      const title = `${recipe.title} (${recipe.rule.id}): fires once per due occasion, on time, for the scripted customers only`
      if (script === undefined) continue
      it(title, () => {
        const got = fired
          .filter((firing) => firing.ruleId === recipe.rule.id)
          .map((firing) => ({ who: firing.customerId, at: new Date(firing.at).toISOString() }))
        const want = script.fires.map((fire) => ({ who: fire.who, at: new Date(fire.at).toISOString() }))
        const order = (a: { who: string; at: string }, b: { who: string; at: string }): number =>
          a.at.localeCompare(b.at) || a.who.localeCompare(b.who)
        expect(got.sort(order)).toEqual(want.sort(order))
      })
    }

    it('records every firing in ecrm_firings, delivered, and none as an event of the customer', async () => {
      const rows = await db.store.query<{ n: number }>(
        'select count(*)::int as n from ecrm_firings where delivered_at is not null',
      )
      expect(rows).toEqual([{ n: fired.length }])
      const names = [...new Set(rules.map((rule) => rule.then?.event ?? 'Rule Fired'))]
      expect(await db.store.query('select event from ecrm_events where event = any($1::text[])', [names])).toEqual([])
    })

    it("leaves each customer's lastSeenAt at their own last call, whatever fired for them since", async () => {
      for (const [who, at] of lastCallAt) {
        expect({ who, lastSeenAt: (await db.store.getProfile(who))?.lastSeenAt }).toEqual({ who, lastSeenAt: at })
      }
    })
  })
}

/** Posts one batch of calls to the ingest handler, as a site or backend would. */
async function send(
  ingest: (request: Request) => Promise<Response>,
  at: number,
  calls: readonly Call[],
): Promise<void> {
  const timestamp = new Date(at).toISOString()
  const batch = calls.map((call) => {
    sequence += 1
    const base = {
      messageId: `recipe-${sequence}`,
      userId: call.who,
      timestamp:
        'timestamp' in call && call.timestamp !== undefined ? new Date(call.timestamp).toISOString() : timestamp,
    }
    return 'identify' in call
      ? { ...base, type: 'identify', traits: call.identify }
      : { ...base, type: 'track', event: call.track, properties: call.properties ?? {} }
  })
  const response = await ingest(
    new Request('http://collect.test/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: 'wk', batch }),
    }),
  )
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`)
}
