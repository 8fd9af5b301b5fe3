// Messages: mails rendered (Liquid) and handed to a local SMTP server per second by ecrm's email
// sender through the message outbox (rule runner → ecrm_messages in PGlite → createMessageSender →
// createSmtpChannel), beside nodemailer alone sending the same rendered mails to the same server
// (the floor). Unit: mails a second; plus the outbox's cost per message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createTransport } from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { fmt, median, quick } from './lib/measure.mjs'
import { repoRoot } from './lib/paths.mjs'
import { emit, progress } from './lib/result.mjs'

const title = 'Messages: render + outbox + SMTP'
let ecrm
let core
try {
  ecrm = await import(join(repoRoot, 'packages/node/dist/index.js'))
  core = await import(join(repoRoot, 'packages/core/dist/index.js'))
} catch (error) {
  emit({ id: 'messages', title, skipped: `packages/*/dist missing (npm run build): ${error.message}` })
  process.exit(0)
}
const { createPgliteStore, createRuleRunner, createSmtpChannel, loadTemplates, serveMessages } = ecrm
const MAILS = quick ? 100 : 300
const ROUNDS = quick ? 1 : 2

// A real SMTP server that takes every mail (no TLS, no auth: the same for both paths).
let received = 0
const smtp = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined)
    stream.on('end', () => {
      received += 1
      callback()
    })
  },
})
await new Promise((resolve) => smtp.listen(0, '127.0.0.1', resolve))
const port = smtp.server.address().port

const dir = mkdtempSync(join(tmpdir(), 'ecrm-bench-messages-'))
writeFileSync(join(dir, 'welcome.en.subject.liquid'), 'Welcome to the shop, {{ profile.traits.name }}')
writeFileSync(
  join(dir, 'welcome.en.liquid'),
  `<p>Welcome, {{ profile.traits.name | default: "friend" }}!</p>
<p>Your first-order code: <strong>{{ offer.code }}</strong></p>
{% for i in (1..5) %}<p><a href="https://shop.example/new/{{ i }}">New arrival {{ i }}</a></p>{% endfor %}`,
)
const templates = await loadTemplates({ folder: dir, offerSecret: 'bench-offer-secret' })
const linkSecret = 'a-bench-link-secret-of-at-least-32-chars'
const smtpOptions = { host: '127.0.0.1', port, secure: false, from: 'Shop <news@shop.example>' }

/** One ecrm run: N sign-ups ingested (untimed), then timed: rules render into the outbox, the sender sends. */
async function ecrmRun() {
  const store = await createPgliteStore()
  const served = serveMessages(
    {
      channels: { email: createSmtpChannel({ name: 'email', ...smtpOptions }) },
      templates,
      baseUrl: 'https://crm.shop.example',
      linkSecret,
    },
    store,
  )
  const rule = core.defineRule({
    id: 'welcome',
    when: 'Signed Up',
    then: { send: [{ channel: 'email', template: 'welcome', category: 'transactional' }] },
  })
  const runner = createRuleRunner({ store, rules: [rule], pollIntervalMs: 0, messages: served.composer })
  await runner.start()
  const events = Array.from({ length: MAILS }, (_, i) => [
    { type: 'identify', messageId: `i-${i}`, userId: `u-${i}`, traits: { email: `c${i}@example.com`, name: `C${i}` } },
    { type: 'track', messageId: `s-${i}`, userId: `u-${i}`, event: 'Signed Up', properties: {} },
  ]).flat()
  const { stored } = await store.insertEvents(events, { returnStored: true })
  const { engine } = ecrm.createMessageSender({
    store,
    channels: { email: createSmtpChannel({ name: 'email', ...smtpOptions }) },
    batchSize: 100,
  })
  const start = performance.now()
  const firings = await runner.processEvents(stored)
  const rendered = performance.now()
  received = 0
  let sent = 0
  while (sent < MAILS) sent += (await engine.pass()).sent
  const end = performance.now()
  if (firings.length !== MAILS || received !== MAILS) throw new Error(`ecrm sent ${received} of ${MAILS}`)
  const rows = await store.query('select message_id, recipient, content, headers from ecrm_messages')
  runner.stop()
  await served.stop()
  await store.close()
  return {
    ms: end - start,
    renderMs: rendered - start,
    messages: rows.map((row) => ({
      id: row.message_id,
      recipient: row.recipient,
      content: row.content,
      headers: row.headers,
    })),
  }
}

/** The floor: nodemailer alone, the same pooled transport, sending the mails ecrm rendered, one after another as the sender does. */
async function floorRun(messages) {
  const transport = createTransport({ pool: true, ...smtpOptions })
  received = 0
  const start = performance.now()
  for (const message of messages) {
    await transport.sendMail({
      from: smtpOptions.from,
      to: message.recipient,
      subject: message.content.subject,
      html: message.content.html,
      text: message.content.text,
      messageId: `<${message.id}@shop.example>`,
      headers: message.headers,
    })
  }
  const ms = performance.now() - start
  transport.close()
  if (received !== messages.length) throw new Error(`nodemailer sent ${received} of ${messages.length}`)
  return ms
}

const ecrmMs = []
const renderMs = []
const floorMs = []
for (let round = 0; round < ROUNDS; round += 1) {
  progress(`round ${round + 1}/${ROUNDS}: ecrm, then nodemailer alone (${MAILS} mails each)`)
  const run = await ecrmRun()
  ecrmMs.push(run.ms)
  renderMs.push(run.renderMs)
  floorMs.push(await floorRun(run.messages))
}
await new Promise((resolve) => smtp.close(resolve))
rmSync(dir, { recursive: true, force: true })

const ecrmRate = (MAILS / median(ecrmMs)) * 1000
const floorRate = (MAILS / median(floorMs)) * 1000
const perMessage = (ms) => `${((ms / MAILS) * 1000).toFixed(0)} µs`
const outboxMs = median(ecrmMs) - median(renderMs) - median(floorMs)
emit({
  id: 'messages',
  title,
  intro: `${MAILS} welcome mails (Liquid subject and HTML with 5 links, signed click redirects, open pixel, RFC 8058 headers), ${ROUNDS} round(s), median.`,
  sections: [
    {
      title: 'Mails handed to SMTP per second',
      text: 'ecrm: from the sign-up events stored to the last 250, i.e. the rule runner rendering each mail into the outbox (PGlite) and the sender leasing, sending through createSmtpChannel and recording each outcome. Floor: nodemailer alone sending the same rendered mails over the same pooled transport to the same server. Outbox cost = ecrm time − its rendering time − the floor, per message.',
      table: {
        columns: ['path', 'mails / s', 'per mail', 'floor is … faster'],
        rows: [
          [
            'ecrm (render + outbox + SMTP)',
            fmt(ecrmRate),
            perMessage(median(ecrmMs)),
            `${(floorRate / ecrmRate).toFixed(2)}×`,
          ],
          ['  of which rendering into the outbox', '', perMessage(median(renderMs)), ''],
          ['  of which the outbox (lease, record, events)', '', perMessage(outboxMs), ''],
          ['nodemailer alone (floor)', fmt(floorRate), perMessage(median(floorMs)), '1×'],
        ],
      },
      chart: {
        title: 'Mails handed to SMTP per second',
        unit: 'mails/s',
        higherIsBetter: true,
        bars: [
          { label: 'ecrm', value: ecrmRate, kind: 'ecrm' },
          { label: 'nodemailer alone', value: floorRate, kind: 'floor' },
        ],
      },
    },
  ],
})
