import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSmtpSink } from '../../packages/node/test/messages/smtpSink.js'
import { buildCli, failServe, startServe } from './serveProcess.js'

const fixture = fileURLToPath(new URL('./fixtures/messages/', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'ecrm-serve-messages-'))
const secrets = { SMTP_PASSWORD: 'smtp-secret', ECRM_LINK_SECRET: 'a-link-secret-of-at-least-32-characters!' }
let cli: string
let smtp: Awaited<ReturnType<typeof startSmtpSink>>

const docs = readFileSync(fileURLToPath(new URL('../../docs/messages.md', import.meta.url)), 'utf8')
const documented =
  /<!-- ecrm\.config\.json, run by tests\/node\/serveMessages\.test\.ts[^>]*-->\n```json\n([\s\S]*?)\n```/.exec(
    docs,
  )?.[1]

/** docs/messages.md's ecrm.config.json with the test SMTP server's port (and `change`). */
function writeConfig(change: (config: Record<string, any>) => void = () => undefined): string {
  if (documented === undefined) throw new Error('docs/messages.md lost its ecrm.config.json block')
  const config = JSON.parse(documented)
  config.channels.email.port = smtp.port
  change(config)
  const path = join(dir, `ecrm.${Math.random().toString(36).slice(2)}.config.json`)
  writeFileSync(path, JSON.stringify(config))
  return path
}

function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })))
}

async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let tries = 0; tries < 200; tries += 1) {
    const value = read()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

beforeAll(async () => {
  cpSync(join(fixture, 'templates'), join(dir, 'templates'), { recursive: true })
  ;[cli, smtp] = await Promise.all([
    buildCli('serve-messages'),
    startSmtpSink({ auth: { user: 'news', pass: secrets.SMTP_PASSWORD } }),
  ])
}, 120_000)
afterAll(async () => {
  await smtp.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('ecrm serve with channels, templates and messages', () => {
  it("docs/messages.md's template example is the welcome template this test sends", () => {
    const example = /^```liquid\n([\s\S]*?)^```$/m.exec(docs)?.[1]
    expect(example).toBeDefined()
    expect(readFileSync(join(fixture, 'templates', 'welcome.en.liquid'), 'utf8')).toContain(example)
  })

  it('a sign-up through the collector sends the rendered welcome mail to SMTP, links signed, one-click unsubscribe answered; preview renders it', async () => {
    const data = join(dir, 'data')
    const server = await startServe(cli, ['--data-dir', data, '--config', writeConfig()], secrets)
    try {
      const response = await fetch(`${server.url}/v1/batch`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from('wk:').toString('base64')}`,
        },
        body: JSON.stringify({
          batch: [
            {
              type: 'identify',
              messageId: 'i-1',
              userId: 'u-fa',
              traits: { email: 'sara@example.com', name: 'سارا', locale: 'fa-IR' },
            },
            { type: 'track', messageId: 's-1', userId: 'u-fa', event: 'Signed Up' },
          ],
        }),
      })
      expect(response.status).toBe(200)
      const raw = await until(() => smtp.mails[0]?.raw, 'the welcome mail')
      const mail = await simpleParser(raw)
      expect(mail.to).toMatchObject({ text: 'sara@example.com' })
      expect(mail.subject).toBe('به فروشگاه خوش آمدید، سارا')
      expect(mail.html).toContain('<div dir="rtl" lang="fa">')
      expect(mail.html).toContain('۱۰٪')
      // The configured baseUrl, not the test server's: links point where the shop's collector is public.
      expect(mail.html).toMatch(/href="http:\/\/127\.0\.0\.1:8080\/v1\/m\/c\/[\w-]+\.[\w-]+"/)
      const unsubscribe = /^List-Unsubscribe: <http:\/\/127\.0\.0\.1:8080(\/v1\/m\/u\/[^>]+)>/m.exec(
        raw.replace(/\r?\n[ \t]+/g, ' '),
      )?.[1]
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m)
      expect(unsubscribe).toBeDefined()
      const oneClick = await fetch(`${server.url}${unsubscribe}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      })
      expect(oneClick.status).toBe(200)
      expect(
        (
          await fetch(`${server.url}${unsubscribe?.replace('/u/', '/u/A')}`, {
            method: 'POST',
            body: 'List-Unsubscribe=One-Click',
          })
        ).status,
      ).toBe(403)
      const code = /<strong>([0-9A-Z]{10})<\/strong>/.exec(String(mail.html))?.[1]
      expect(code).toBeDefined()
      expect(smtp.mails).toHaveLength(1)
    } finally {
      expect(await server.stop()).toBe(0)
    }
    const preview = await runCli(
      ['preview', 'welcome', '--customer', 'u-fa', '--locale', 'en', '--data-dir', data, '--config', writeConfig()],
      secrets,
    )
    expect(preview.output).toContain('Subject: Welcome to the shop, سارا')
    expect(preview.output).toContain('--- text ---\nWelcome, سارا!')
    expect(preview.code).toBe(0)
  })

  it('exits 2 naming the path: invalid channel config, a missing secret, a template with an unknown variable', async () => {
    const bad = await failServe(cli, [
      '--data-dir',
      join(dir, 'bad'),
      '--config',
      writeConfig((config) => (config.channels.email.port = 'x')),
    ])
    expect(bad.code).toBe(2)
    expect(bad.output).toMatch(/channels\.email\.port/)
    const unknownType = await failServe(cli, [
      '--data-dir',
      join(dir, 'bad'),
      '--config',
      writeConfig((config) => (config.channels.email.type = 'fax')),
    ])
    expect(unknownType.output).toMatch(/channels\.email\.type/)
    const missing = await failServe(cli, ['--data-dir', join(dir, 'bad'), '--config', writeConfig()])
    expect(missing.code).toBe(2)
    expect(missing.output).toMatch(
      /Missing secret: messages\.linkSecret \(environment variable ECRM_LINK_SECRET is not set\)/,
    )
    const noSmtpPassword = await runCli(
      ['serve', '--port', '0', '--data-dir', join(dir, 'bad'), '--config', writeConfig()],
      { ECRM_LINK_SECRET: secrets.ECRM_LINK_SECRET, SMTP_PASSWORD: '' },
    )
    expect(noSmtpPassword.code).toBe(2)
    expect(noSmtpPassword.output).toContain(
      'Missing secret: channels.email.auth.pass (environment variable SMTP_PASSWORD is not set)',
    )
    const templates = join(dir, 'broken')
    cpSync(join(dir, 'templates'), templates, { recursive: true })
    writeFileSync(join(templates, 'welcome.en.subject.liquid'), 'Hi\n{{ profile.trait.name }}')
    const broken = await runCli(
      [
        'serve',
        '--port',
        '0',
        '--data-dir',
        join(dir, 'bad'),
        '--config',
        writeConfig((config) => (config.templates = templates)),
      ],
      secrets,
    )
    expect(broken.code).toBe(2)
    expect(broken.output).toContain(
      `${join(templates, 'welcome.en.subject.liquid')}:2:4: unknown variable "profile.trait.name"`,
    )
  })
})
