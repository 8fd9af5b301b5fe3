// `ecrm simulate` as users run it: the built binary on the documented example of docs/journeys.md.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

const bin = 'packages/node/bin/ecrm.js'
const journey = 'examples/journeys/cart-recovery.journey.json'
const events = 'examples/journeys/cart-recovery.events.ndjson'

function ecrm(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('ecrm simulate (bin/ecrm.js over dist)', () => {
  beforeAll(() => {
    if (!existsSync('packages/node/dist/cli.js'))
      execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  }, 180_000)

  it('prints per customer what the documented cart journey would send, and when', () => {
    const { code, stdout, stderr } = ecrm('simulate', journey, '--events', events)
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(stdout).toMatch(/^Journey cart_recovery: 2 customers, 7 actions \(simulated: nothing was sent\)\n/)
    // Ann orders after the email: no SMS. Bob never orders: one SMS a day after the email; his
    // second cart falls in the 7-day re-entry window, his third starts a new instance.
    expect(stdout).toContain(
      [
        'ann',
        '  2026-12-01T10:00:00.000Z  entered cart_recovery:ann:1 for c-ann-1',
        '  2026-12-01T11:00:00.000Z  send email "cart-reminder" (marketing, key cart_recovery:ann:1:reminder_email)',
        '  2026-12-01T13:00:00.000Z  converted cart_recovery:ann:1 (Order Completed)',
        '  2026-12-01T13:00:00.000Z  exited cart_recovery:ann:1: Order Completed',
      ].join('\n'),
    )
    expect(stdout.match(/send sms/g)).toHaveLength(2)
    expect(stdout).toContain(
      '  2026-12-02T11:00:00.000Z  send sms "cart-discount" (marketing, key cart_recovery:bob:1:discount_sms)',
    )
    expect(stdout).toContain('  2026-12-03T10:00:00.000Z  not entered for c-bob-2: reentry_window')
    expect(stdout).toContain('  2026-12-09T10:00:00.000Z  entered cart_recovery:bob:2 for c-bob-3')
    // docs/journeys.md shows this very output.
    expect(readFileSync('docs/journeys.md', 'utf8')).toContain(stdout.trim())
  })

  it('prints the timelines as JSON with --json, waits included', () => {
    const { code, stdout } = ecrm('simulate', journey, '--events', events, '--json')
    expect(code).toBe(0)
    const document = JSON.parse(stdout) as {
      journey: string
      sent: boolean
      customers: { customerId: string; timeline: { at: string; kind: string; action?: { stepId: string } }[] }[]
    }
    expect(document.journey).toBe('cart_recovery')
    expect(document.sent).toBe(false)
    const ann = document.customers.find((customer) => customer.customerId === 'ann')
    expect(
      ann?.timeline.flatMap((entry) => (entry.action === undefined ? [] : [`${entry.at} ${entry.action.stepId}`])),
    ).toEqual(['2026-12-01T11:00:00.000Z reminder_email'])
    expect(ann?.timeline.some((entry) => entry.kind === 'outcome')).toBe(true)
  })

  it('exits 2 on a bad journey file, naming the zod paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecrm-simulate-'))
    const bad = JSON.parse(readFileSync(journey, 'utf8')) as { steps: Record<string, unknown>[]; reentry: unknown }
    bad.steps[3] = { ...bad.steps[3], then: 'sms' }
    bad.reentry = 'sometimes'
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad))
    const shape = ecrm('simulate', join(dir, 'bad.json'), '--events', events)
    expect(shape.code).toBe(2)
    expect(shape.stdout).toBe('')
    expect(shape.stderr).toMatch(
      /Invalid journey "cart_recovery": reentry \(expected "never", "always" or \{ "afterDays": N \}\)/,
    )
    bad.reentry = 'always'
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad))
    const target = ecrm('simulate', join(dir, 'bad.json'), '--events', events)
    expect(target.code).toBe(2)
    expect(target.stderr).toMatch(/steps\[3\]\.then \(unknown step "sms"/)
  })

  it('exits 2 on an event line without a timestamp, naming the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecrm-simulate-'))
    writeFileSync(
      join(dir, 'events.ndjson'),
      '{"type":"track","messageId":"m-1","userId":"u","event":"Cart Abandoned"}\n',
    )
    const { code, stderr } = ecrm('simulate', journey, '--events', join(dir, 'events.ndjson'))
    expect(code).toBe(2)
    expect(stderr).toContain('line 1: timestamp (')
  })
})
