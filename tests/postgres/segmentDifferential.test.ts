import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyLogic, EcrmValidationError, formatPath, isEcrmError, isTruthy } from '@ecrm/core'
import type { CustomerProfile } from '@ecrm/core'
import { createIngestHandler } from '../../packages/node/src/ingest/ingestHandler.js'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'
import { hasPostgres, POSTGRES_BIN, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'
import { conditionArbitrary, deriveConfig, EVALUATED_AT, shopEvents, traitTypes } from './segmentConditions.js'

const SEED = 20_260_615
const CONDITIONS = 600
const events = shopEvents(80, SEED)
const conditions = fc.sample(conditionArbitrary, { numRuns: CONDITIONS, seed: SEED })

/** Every table's row count and a digest of the profiles: what "the database is unchanged" means. */
async function fingerprint(store: Store): Promise<unknown> {
  const tables = await store.query<{ name: string }>(
    "select tablename as name from pg_tables where schemaname = 'public' order by tablename",
  )
  const counts: Record<string, number> = {}
  for (const { name } of tables)
    counts[name] = (await store.query<{ n: number }>(`select count(*)::int as n from "${name}"`))[0]?.n ?? -1
  const [digest] = await store.query<{ md5: string }>(
    "select md5(string_agg(customer_id || ':' || profile::text, ',' order by customer_id)) as md5 from ecrm_profiles",
  )
  return { counts, digest: digest?.md5 }
}

/** Ingests the events through the ingest handler, as clients send them, and reads the profiles back. */
async function fill(store: Store): Promise<CustomerProfile[]> {
  const ingest = createIngestHandler({ store, writeKeys: ['wk_diff'] })
  for (let start = 0; start < events.length; start += 200) {
    const response = await ingest(
      new Request('http://collect.test/v1/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ writeKey: 'wk_diff', batch: events.slice(start, start + 200) }),
      }),
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ rejected: [] })
  }
  const profiles = await store.listProfiles({ limit: 1_000 })
  expect(profiles).toHaveLength(80)
  // The derived fields conditions read are there: RFM for buyers, a lead grade, named segments.
  expect(profiles.filter((p) => p.rfm !== undefined).length).toBeGreaterThan(20)
  expect(profiles.every((p) => typeof p.lead?.grade === 'string')).toBe(true)
  expect(profiles.filter((p) => p.segments?.includes('big_spenders')).length).toBeGreaterThan(5)
  return profiles
}

interface Outcome {
  /** User ids selected per condition; `null` where the condition was refused. */
  readonly selections: (string[] | null)[]
  readonly refused: number
  /** Refusals by issue code (unsupported_in_sql, nul_character, name_too_long, invalid_unicode). */
  readonly codes: Record<string, number>
  readonly selective: number
}

/** Runs every condition in memory over the stored profiles and in SQL on the store; they must agree. */
async function compare(store: Store, profiles: readonly CustomerProfile[]): Promise<Outcome> {
  const userOf = new Map(profiles.map((p) => [p.id, p.identities.userIds[0] as string]))
  const selections: (string[] | null)[] = []
  let refused = 0
  let selective = 0
  const codes: Record<string, number> = {}
  for (const condition of conditions) {
    let ids: string[]
    try {
      ids = await store.segment(condition, { traits: traitTypes, now: EVALUATED_AT })
    } catch (error) {
      // A refusal: an EcrmValidationError naming the JsonLogic path of the fault.
      expect(isEcrmError(error), `${JSON.stringify(condition)}: ${String(error)}`).toBe(true)
      expect(error).toBeInstanceOf(EcrmValidationError)
      const [issue] = (error as EcrmValidationError).issues
      expect(issue?.path.length, JSON.stringify(condition)).toBeGreaterThan(0)
      expect((error as Error).message).toContain(formatPath(issue?.path ?? []))
      refused += 1
      codes[issue?.code ?? '?'] = (codes[issue?.code ?? '?'] ?? 0) + 1
      selections.push(null)
      continue
    }
    const expected = profiles
      .filter((p) => isTruthy(applyLogic(condition, { ...p, profile: p }, { now: EVALUATED_AT })))
      .map((p) => userOf.get(p.id) as string)
      .sort()
    const actual = ids.map((id) => userOf.get(id) as string).sort()
    expect({ condition, actual }).toEqual({ condition, actual: expected })
    if (expected.length > 0 && expected.length < profiles.length) selective += 1
    selections.push(actual)
  }
  return { selections, refused, codes, selective }
}

function checkOutcome(outcome: Outcome, name: string): void {
  console.info(
    `segment differential (${name}): ${CONDITIONS} conditions, ${CONDITIONS - outcome.refused} compared (${outcome.selective} selecting some but not all), ${outcome.refused} refused ${JSON.stringify(outcome.codes)}`,
  )
  // Hostile literals and names are refused as such, not as something else.
  for (const code of ['unsupported_in_sql', 'nul_character', 'name_too_long', 'invalid_unicode'])
    expect(outcome.codes[code], code).toBeGreaterThan(0)
  // Hostile and untranslatable conditions are refused; most conditions run.
  expect(outcome.refused).toBeGreaterThan(20)
  expect(outcome.refused).toBeLessThan(CONDITIONS / 2)
  expect(outcome.selective).toBeGreaterThan(CONDITIONS / 4)
}

let pgliteOutcome: Outcome | undefined

describe('segments: memory and SQL agree on stored profiles (PGlite)', () => {
  let store: Store
  let profiles: CustomerProfile[]
  beforeAll(async () => {
    store = await createPgliteStore(undefined, { derive: deriveConfig })
    profiles = await fill(store)
  }, 120_000)
  afterAll(async () => store?.close())

  it(`answers ${CONDITIONS} fixed-seed random conditions identically, refuses clearly, and changes nothing`, async () => {
    const before = await fingerprint(store)
    pgliteOutcome = await compare(store, profiles)
    checkOutcome(pgliteOutcome, 'PGlite')
    expect(await fingerprint(store)).toEqual(before)
  }, 300_000)
})

describe('PostgreSQL availability for the segment differential', () => {
  it('is required when CI=true', () => {
    if (process.env.CI === 'true' && !hasPostgres)
      throw new Error(`PostgreSQL 15 binaries not found in ${POSTGRES_BIN}, and CI=true`)
  })
})

describe.skipIf(!hasPostgres)('segments: memory and SQL agree on stored profiles (PostgreSQL 15)', () => {
  let server: PostgresServer
  let store: Store
  let profiles: CustomerProfile[]
  beforeAll(async () => {
    server = await startPostgres()
    store = await createPostgresStore(server.connectionString, { derive: deriveConfig })
    profiles = await fill(store)
  }, 120_000)
  afterAll(async () => {
    await store?.close()
    server?.stop()
  })

  it(`answers the same ${CONDITIONS} conditions identically, as PGlite does, and changes nothing`, async () => {
    const before = await fingerprint(store)
    const outcome = await compare(store, profiles)
    checkOutcome(outcome, 'PostgreSQL')
    expect(await fingerprint(store)).toEqual(before)
    if (pgliteOutcome !== undefined) expect(outcome.selections).toEqual(pgliteOutcome.selections)
  }, 300_000)
})
