import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import { readRecipes } from '../../packages/node/test/recipesDoc.js'
import { buildCli, startServe } from '../support/cliProcess.js'
import type { ServeProcess } from '../support/cliProcess.js'

const DAY = 86_400_000
const dir = mkdtempSync(join(tmpdir(), 'ecrm-serve-recipes-'))
const dataDir = join(dir, 'data')
const rulesFile = join(dir, 'rules.json')
const recipes = readRecipes().filter((recipe) => recipe.runsOn.includes('server'))

/** A zone where it is daytime now, so the welcome recipe's quiet hours (21:00–08:00) do not defer it. */
function daytimeZone(now: number): string {
  const zones = [
    'UTC',
    'Europe/Paris',
    'Europe/Moscow',
    'Asia/Dubai',
    'Asia/Karachi',
    'Asia/Dhaka',
    'Asia/Bangkok',
    'Asia/Shanghai',
    'Asia/Tokyo',
    'Australia/Sydney',
    'Pacific/Noumea',
    'Pacific/Auckland',
    'Pacific/Honolulu',
    'America/Anchorage',
    'America/Los_Angeles',
    'America/Denver',
    'America/Chicago',
    'America/New_York',
    'America/Sao_Paulo',
    'Atlantic/Azores',
  ]
  const hourIn = (zone: string): number =>
    Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(now))
  return zones.find((zone) => hourIn(zone) >= 9 && hourIn(zone) <= 19) as string
}

let sequence = 0
const event = (fields: Record<string, unknown>, at = Date.now()): Record<string, unknown> => ({
  messageId: `serve-recipe-${(sequence += 1)}`,
  timestamp: new Date(at).toISOString(),
  ...fields,
})
const order = (userId: string, id: string, at = Date.now()): Record<string, unknown> =>
  event(
    { type: 'track', userId, event: 'Order Completed', properties: { order_id: id, total: 80, currency: 'EUR' } },
    at,
  )

describe('ecrm serve --rules with the recipes of docs/recipes.md, on the real clock', () => {
  let serve: ServeProcess
  const post = async (batch: Record<string, unknown>[]): Promise<void> => {
    const response = await fetch(`${serve.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: 'wk', batch }),
    })
    expect(response.status).toBe(200)
  }
  const fired = (rule: string, who: string): RegExp => new RegExp(`rule ${rule} fired for ${who} `)

  beforeAll(async () => {
    writeFileSync(rulesFile, JSON.stringify({ rules: recipes.map((recipe) => recipe.rule) }, null, 2))
    const cli = await buildCli('serve-recipes')
    serve = await startServe(cli, ['--port', '0', '--data-dir', dataDir, '--write-key', 'wk', '--rules', rulesFile])
  }, 120_000)
  afterAll(async () => {
    await serve?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('loads every server recipe of the doc', async () => {
    await serve.waitFor(/running \d+ rule\(s\)/, 15_000)
    expect(serve.output()).toContain(
      `running ${recipes.length} rule(s): ${recipes.map((recipe) => recipe.rule.id).join(', ')}`,
    )
  })

  it('fires the recipes that answer an event at once, for the customers the doc says, and records them as firings', async () => {
    const zone = daytimeZone(Date.now())
    // Welcome: a sign-up in daytime.
    await post([
      event({ type: 'identify', userId: 'sv-new', traits: { email: 'new@shop.example', timezone: zone } }),
      event({ type: 'track', userId: 'sv-new', event: 'Signed Up' }),
    ])
    // Hot lead: a decision maker of a mid-size company; a student does not alert sales.
    await post([
      event({
        type: 'identify',
        userId: 'sv-cto',
        traits: { email: 'cto@bigcorp.example', title: 'CTO', company: { name: 'BigCorp', employee_count: 500 } },
      }),
      event({
        type: 'track',
        userId: 'sv-cto',
        event: 'Lead Captured',
        properties: { email: 'cto@bigcorp.example', form_type: 'demo' },
      }),
      event({ type: 'identify', userId: 'sv-kid', traits: { email: 'kid@gmail.com', title: 'Student' } }),
      event({ type: 'track', userId: 'sv-kid', event: 'Lead Captured', properties: { email: 'kid@gmail.com' } }),
    ])
    // Champions: the fourth order in a few days makes a champion (the store derives RFM at ingest).
    for (const n of [1, 2, 3, 4])
      await post([order('sv-vip', `sv-v${n}`), order(n <= 3 ? 'sv-three' : 'sv-other', `sv-t${n}`)])
    // At-risk: three orders 100 days ago, imported now: the store puts them in at_risk at once.
    await post([100, 101, 102].map((ago) => order('sv-lapsed', `sv-l${ago}`, Date.now() - ago * DAY)))

    await serve.waitFor(fired('welcome', 'sv-new'), 15_000)
    await serve.waitFor(fired('hot_lead', 'sv-cto'), 15_000)
    await serve.waitFor(fired('champions_thanks', 'sv-vip'), 15_000)
    await serve.waitFor(fired('at_risk_rescue', 'sv-lapsed'), 15_000)
    const output = serve.output()
    for (const [rule, who] of [
      ['hot_lead', 'sv-kid'],
      ['champions_thanks', 'sv-three'],
      ['champions_thanks', 'sv-other'],
      ['at_risk_rescue', 'sv-vip'],
    ] as const) {
      expect(output).not.toMatch(fired(rule, who))
    }
    expect(output.match(/rule champions_thanks fired/g)).toHaveLength(1)

    // Stop the server, then read what it recorded.
    expect(await serve.stop()).toBe(0)
    const store = await createPgliteStore(dataDir)
    try {
      const rows = await store.query<{ rule_id: string; customer_id: string }>(
        'select rule_id, customer_id from ecrm_firings where delivered_at is not null order by rule_id, customer_id',
      )
      expect(rows).toEqual([
        { rule_id: 'at_risk_rescue', customer_id: 'sv-lapsed' },
        { rule_id: 'champions_thanks', customer_id: 'sv-vip' },
        { rule_id: 'hot_lead', customer_id: 'sv-cto' },
        { rule_id: 'welcome', customer_id: 'sv-new' },
      ])
      const names = recipes.map((recipe) => recipe.rule.then?.event ?? 'Rule Fired')
      expect(await store.query('select event from ecrm_events where event = any($1::text[])', [names])).toEqual([])
    } finally {
      await store.close()
    }
  }, 90_000)
})
