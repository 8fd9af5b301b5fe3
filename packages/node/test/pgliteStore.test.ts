import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrations } from '../src/store/migrations.js'
import { createPgliteStore } from '../src/store/pgliteStore.js'
import { makeEvent, runStoreContract } from './storeContract.js'
import { runStoreTrustContract } from './storeTrustContract.js'

// One PGlite in memory cannot be opened twice; the on-disk test below covers re-migration.
runStoreContract('PGlite (in memory)', async () => ({ store: await createPgliteStore() }))
runStoreTrustContract('PGlite (in memory)', async () => ({ store: await createPgliteStore() }))

describe('createPgliteStore', () => {
  it('keeps data in dataDir across a close and reopen, without migrating twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecrm-pglite-'))
    try {
      const first = await createPgliteStore(dir)
      const event = makeEvent({ type: 'track', userId: 'disk-1' })
      await first.insertEvents([event])
      await first.close()
      const second = await createPgliteStore(dir)
      expect(await second.insertEvents([event])).toEqual({
        inserted: 0,
        duplicates: 1,
        erased: 0,
        refused: [],
        customersCreated: 0,
      })
      expect(await second.query('select version from ecrm_schema_migrations order by version')).toEqual(
        migrations.map((migration) => ({ version: migration.version })),
      )
      await second.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('takes its data folder exclusively: a second store fails with data_dir_locked until the first closes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ecrm-pglite-')), 'data')
    try {
      const first = await createPgliteStore(dir)
      expect(readFileSync(join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid))
      await expect(createPgliteStore(dir)).rejects.toMatchObject({
        code: 'data_dir_locked',
        message: expect.stringContaining(dir),
      })
      await first.close()
      expect(existsSync(join(dir, 'LOCK'))).toBe(false)
      const second = await createPgliteStore(dir)
      await second.close()
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true })
    }
  }, 60_000)

  it('takes over the lock of a process that no longer runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecrm-pglite-'))
    try {
      // A pid far above any pid_max: no such process.
      writeFileSync(join(dir, 'LOCK'), '2147483600')
      const store = await createPgliteStore(dir)
      expect(readFileSync(join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid))
      await store.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
