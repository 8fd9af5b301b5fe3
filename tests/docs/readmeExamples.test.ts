/**
 * Runs the packages' README examples as a user pastes them: each `ts` block is written to a file
 * inside the repository (so `@ecrm/*` resolve to the built packages) and imported; every
 * `console.log(x) // → value` line must print that value.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSmtpSink } from '../../packages/node/test/messages/smtpSink.js'
import { promisedOutput, runPrinting, tsBlocks } from '../support/docExamples.js'

const root = join(import.meta.dirname, '..', '..')
const work = mkdtempSync(join(root, 'tests', 'docs', '.run-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// docs/messages.md's examples send mail: a real SMTP server takes it (SMTP_HOST/SMTP_PORT, as a user sets them).
let smtp: Awaited<ReturnType<typeof startSmtpSink>> | undefined
beforeAll(async () => {
  smtp = await startSmtpSink()
  process.env['SMTP_HOST'] = '127.0.0.1'
  process.env['SMTP_PORT'] = String(smtp.port)
})
afterAll(async () => {
  await smtp?.close()
})

describe.each([
  ['core', 'packages/core/README.md'],
  ['messages', 'docs/messages.md'],
])('%s: %s', (pkg, path) => {
  const blocks = tsBlocks(readFileSync(join(root, path), 'utf8'))

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(0)
  })

  it.each(blocks.map((block, index) => [index + 1, block] as const))(
    'example %i runs and prints what it says',
    async (index, block) => {
      const file = join(work, `${pkg}-${index}.ts`)
      const printed = await runPrinting(file, block)
      const promised = promisedOutput(block)
      expect(promised.length).toBeGreaterThan(0)
      expect(printed).toEqual(promised)
      if (block.includes('createSmtpChannel')) expect(smtp?.mails.at(-1)?.raw).toMatch(/^Subject: Welcome\r?$/m)
    },
  )
})
