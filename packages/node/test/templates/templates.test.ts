import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { defineRule, emptyProfile } from '@ecrm/core'
import type { EcrmEvent, RuleFiring } from '@ecrm/core'
import { loadTemplates } from '../../src/templates/loadTemplates.js'
import { offerCodeOf } from '../../src/templates/offerCode.js'
import { createRuleRunner } from '../../src/rules/ruleRunner.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'

const folders: string[] = []
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true })
})

async function folderWith(files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'ecrm-templates-'))
  folders.push(folder)
  for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text)
  return folder
}

const firing: RuleFiring = {
  id: 'welcome-1',
  ruleId: 'welcome',
  customerId: 'u-1',
  at: Date.UTC(2026, 2, 21),
  event: { event: 'Rule Fired', properties: {} },
} as RuleFiring
const profileOf = (traits: Record<string, string>) => ({ ...emptyProfile('u-1'), traits })

describe('templates (liquidjs)', { timeout: 60_000 }, () => {
  it('renders subject, HTML and text with profile, firing, offer and message; text derived when no .text part', async () => {
    const folder = await folderWith({
      'welcome.en.liquid':
        '<p>Hi {{ profile.traits.name }},</p>\n<p>your code {{ offer.code }} ({{ message.id }}, {{ firing.ruleId }})</p>',
      'welcome.en.subject.liquid': 'Welcome, {{ profile.traits.name }}\n',
    })
    const templates = await loadTemplates({ folder, offerSecret: 's' })
    const content = await templates.render({
      template: 'welcome',
      locale: 'en',
      messageId: 'welcome-1:0',
      profile: profileOf({ name: 'Ana' }),
      firing,
    })
    const code = offerCodeOf('welcome-1:0', 's')
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/)
    expect(content).toEqual({
      subject: 'Welcome, Ana',
      html: `<div lang="en"><p>Hi Ana,</p>\n<p>your code ${code} (welcome-1:0, welcome)</p></div>`,
      text: `Hi Ana,\nyour code ${code} (welcome-1:0, welcome)`,
    })
    expect(offerCodeOf('welcome-1:1', 's')).not.toBe(code)
    expect(offerCodeOf('welcome-1:0', 'other')).not.toBe(code)
  })

  it('escapes what a customer typed in the HTML body (raw opts out) but not in the plain-text subject', async () => {
    const folder = await folderWith({
      'note.en.liquid': '<p>Hi {{ profile.traits.name }}</p>{{ "<hr>" | raw }}',
      'note.en.subject.liquid': 'For {{ profile.traits.name }}',
    })
    const templates = await loadTemplates({ folder, offerSecret: 's' })
    const content = await templates.render({
      template: 'note',
      locale: 'en',
      messageId: 'm',
      profile: profileOf({ name: 'Tom & <img src=x onerror=alert(1)>' }),
      firing,
    })
    expect(content.html).toBe('<div lang="en"><p>Hi Tom &amp; &lt;img src=x onerror=alert(1)&gt;</p><hr></div>')
    expect(content.subject).toBe('For Tom & <img src=x onerror=alert(1)>')
  })

  it('fa: picked from fa-IR, Persian digits through Intl, money and date by locale, dir="rtl" lang="fa"; others fall back to en', async () => {
    const folder = await folderWith({
      'order.en.liquid': '<html><body>{{ 1250000 | money: "IRR" }}</body></html>',
      'order.fa.liquid':
        '<html><body>{{ "کد 2026" | persian_digits }} {{ 1250000 | money: "IRR" }} {{ firing.at | local_date }}</body></html>',
      'order.fa.text.liquid': 'سفارش {{ 42 | number }}',
    })
    const templates = await loadTemplates({ folder, offerSecret: 's' })
    const fa = await templates.render({
      template: 'order',
      locale: 'fa-IR',
      messageId: 'm',
      profile: profileOf({}),
      firing,
    })
    const money = new Intl.NumberFormat('fa', { style: 'currency', currency: 'IRR' }).format(1250000)
    const date = new Intl.DateTimeFormat('fa', { dateStyle: 'long', timeZone: 'UTC' }).format(firing.at)
    expect(fa.html).toBe(`<html dir="rtl" lang="fa"><body>کد ۲۰۲۶ ${money} ${date}</body></html>`)
    expect(date).toContain('۱۴۰۵')
    expect(fa.text).toBe('سفارش ۴۲')
    const de = await templates.render({
      template: 'order',
      locale: 'de',
      messageId: 'm',
      profile: profileOf({}),
      firing,
    })
    expect(de.html).toBe(
      `<html lang="en"><body>${new Intl.NumberFormat('en', { style: 'currency', currency: 'IRR' }).format(1250000)}</body></html>`,
    )
  })

  it('an unknown variable, an unknown filter or a failing filter is an error at load naming file and line', async () => {
    const unknownVariable = await folderWith({ 'welcome.en.liquid': '<p>Hi</p>\n<p>{{ profile.trait.name }}</p>' })
    await expect(loadTemplates({ folder: unknownVariable, offerSecret: 's' })).rejects.toThrow(
      `${join(unknownVariable, 'welcome.en.liquid')}:2:7: unknown variable "profile.trait.name"`,
    )
    const unknownRoot = await folderWith({
      'welcome.en.subject.liquid': 'Hi {{ customer.name }}',
      'welcome.en.liquid': 'x',
    })
    await expect(loadTemplates({ folder: unknownRoot, offerSecret: 's' })).rejects.toThrow(
      /welcome\.en\.subject\.liquid:1:7: unknown variable "customer\.name"/,
    )
    const unknownFilter = await folderWith({ 'welcome.fa.liquid': 'a\nb\n{{ offer.code | shout }}' })
    await expect(loadTemplates({ folder: unknownFilter, offerSecret: 's' })).rejects.toThrow(
      /undefined filter: shout, file:.*welcome\.fa\.liquid, line:3/,
    )
    const badMoney = await folderWith({ 'welcome.en.liquid': '{{ 5 | money }}' })
    await expect(loadTemplates({ folder: badMoney, offerSecret: 's' })).rejects.toThrow(
      /welcome\.en\.liquid: .*money needs a currency code/,
    )
    const badName = await folderWith({ 'Welcome.liquid': 'x' })
    await expect(loadTemplates({ folder: badName, offerSecret: 's' })).rejects.toThrow(
      /Welcome\.liquid: name must be <name>\.<locale>\.liquid/,
    )
  })

  it("free-form traits and properties accept any key; assigned variables are the template's own", async () => {
    const folder = await folderWith({
      'w.en.liquid':
        '{% assign who = profile.traits.first_name | default: "there" %}Hi {{ who }} {{ firing.event.properties.sku }} {{ profile.identities.emails.first }}',
    })
    const templates = await loadTemplates({ folder, offerSecret: 's' })
    expect(
      (await templates.render({ template: 'w', locale: 'en', messageId: 'm', profile: profileOf({}), firing })).text,
    ).toBe('Hi there')
  })

  it('the rule runner stores the rendered content in the outbox row at enqueue', async () => {
    const folder = await folderWith({
      'welcome.en.liquid': '<p>Welcome {{ profile.traits.name }}</p>',
      'welcome.en.subject.liquid': 'Hello {{ profile.traits.name }}',
    })
    const templates = await loadTemplates({ folder, offerSecret: 's' })
    const store = await createPgliteStore()
    const rule = defineRule({
      id: 'welcome',
      when: 'Signed Up',
      then: { send: [{ channel: 'email', template: 'welcome' }] },
    })
    const runner = createRuleRunner({
      store,
      rules: [rule],
      pollIntervalMs: 0,
      messages: { channels: { email: 'email' }, render: templates.render },
    })
    await runner.start()
    try {
      const events = [
        { type: 'identify', messageId: 'i-1', userId: 'u-1', traits: { email: 'ana@example.com', name: 'Ana' } },
        { type: 'track', messageId: 's-1', userId: 'u-1', event: 'Signed Up', properties: {} },
      ] as EcrmEvent[]
      const { stored } = await store.insertEvents(events, { returnStored: true })
      await runner.processEvents(stored ?? [])
      expect(await store.query('select recipient, content from ecrm_messages')).toEqual([
        {
          recipient: 'ana@example.com',
          content: { subject: 'Hello Ana', html: '<div lang="en"><p>Welcome Ana</p></div>', text: 'Welcome Ana' },
        },
      ])
    } finally {
      runner.stop()
      await store.close()
    }
  })
})
