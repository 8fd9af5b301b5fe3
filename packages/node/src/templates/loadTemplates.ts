import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Liquid } from 'liquidjs'
import type { Template } from 'liquidjs'
import { emptyProfile } from '@ecrm/core'
import type { CustomerProfile, MessageContent, RuleFiring } from '@ecrm/core'
import type { RenderMessage } from '../messages/composeMessages.js'
import { registerLocaleFilters } from './localeFilters.js'
import { offerCodeOf } from './offerCode.js'
import { isKnownPath, templateVariablesSchema } from './templateVariables.js'
import { withTextDirection } from './textDirection.js'

/** Options of {@link loadTemplates}. */
export interface TemplateOptions {
  /** The folder of `<name>.<locale>.liquid` files (and their `.subject.liquid` / `.text.liquid`). */
  readonly folder: string
  /** Keys `offer.code` (HMAC of the message id). Give one in production: codes are then unguessable. */
  readonly offerSecret: string
  /** Locale used when a template has no variant for the customer's. @default "en" */
  readonly fallbackLocale?: string
}

/** A loaded, checked template folder. */
export interface Templates {
  /** `name → locales` found in the folder. */
  readonly names: ReadonlyMap<string, readonly string[]>
  /** Renders a message: the rule runner's `MessageComposer.render`. */
  readonly render: RenderMessage
}

/** One locale variant: its parsed parts. */
interface Variant {
  readonly body: Template[]
  readonly subject?: Template[]
  readonly text?: Template[]
}

const FILE =
  /^(?<name>[a-z0-9][a-z0-9_-]*)\.(?<locale>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)(?:\.(?<part>subject|text))?\.liquid$/

/**
 * Reads and checks a template folder: every file is parsed with strict filters and every variable
 * path is checked against {@link templateVariablesSchema}, then each variant is rendered once
 * against an empty profile. Any error names the file and line and is thrown here, at load — a
 * template never renders a blank into a sent message.
 */
export async function loadTemplates(options: TemplateOptions): Promise<Templates> {
  // The HTML body escapes every output (a customer's `name` trait is data, not markup; `| raw` opts
  // out); subject and text parts are plain text and must not get `&amp;`.
  const liquid = new Liquid({ strictFilters: true, strictVariables: false, ownPropertyOnly: true })
  const htmlLiquid = new Liquid({
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    outputEscape: 'escape',
  })
  registerLocaleFilters(liquid)
  registerLocaleFilters(htmlLiquid)
  const variants = new Map<string, Map<string, { body?: Template[]; subject?: Template[]; text?: Template[] }>>()
  for (const file of (await readdir(options.folder)).sort()) {
    if (!file.endsWith('.liquid')) continue
    const match = FILE.exec(file)
    if (match?.groups === undefined)
      throw new Error(
        `templates: ${join(options.folder, file)}: name must be <name>.<locale>.liquid, <name>.<locale>.subject.liquid or <name>.<locale>.text.liquid`,
      )
    const { name, locale, part } = match.groups as { name: string; locale: string; part?: 'subject' | 'text' }
    const path = join(options.folder, file)
    const parsed = parseChecked(part === undefined ? htmlLiquid : liquid, await readFile(path, 'utf8'), path)
    const byLocale = variants.get(name) ?? new Map()
    variants.set(name, byLocale)
    const variant = byLocale.get(locale) ?? {}
    byLocale.set(locale, { ...variant, [part ?? 'body']: parsed })
  }
  const checked = new Map<string, Map<string, Variant>>()
  for (const [name, byLocale] of variants) {
    const locales = new Map<string, Variant>()
    for (const [locale, variant] of byLocale) {
      if (variant.body === undefined)
        throw new Error(
          `templates: ${join(options.folder, `${name}.${locale}.liquid`)} is missing (its subject or text part exists)`,
        )
      locales.set(locale, variant as Variant)
    }
    checked.set(name, locales)
  }
  const fallback = options.fallbackLocale ?? 'en'
  const render: RenderMessage = async ({ template, locale, messageId, profile, firing }) => {
    const locales = checked.get(template)
    if (locales === undefined)
      throw new Error(
        `templates: no template "${template}" in ${options.folder} (have: ${[...checked.keys()].join(', ') || 'none'})`,
      )
    const chosen = pickLocale([...locales.keys()], locale, fallback)
    if (chosen === undefined)
      throw new Error(
        `templates: "${template}" has no "${locale}" or "${fallback}" variant (have: ${[...locales.keys()].join(', ')})`,
      )
    const scope = {
      profile,
      firing,
      offer: { code: offerCodeOf(messageId, options.offerSecret) },
      message: { id: messageId, template, locale: chosen },
    }
    return renderVariant({ html: htmlLiquid, plain: liquid }, locales.get(chosen)!, scope)
  }
  for (const [name, locales] of checked) {
    for (const locale of locales.keys())
      await dryRender(render, name, locale, join(options.folder, `${name}.${locale}.liquid`))
  }
  return { names: new Map([...checked].map(([name, locales]) => [name, [...locales.keys()]])), render }
}

function parseChecked(liquid: Liquid, source: string, path: string): Template[] {
  const parsed = liquid.parse(source, path)
  for (const variables of Object.values(liquid.analyzeSync(parsed).globals)) {
    for (const variable of variables) {
      const segments = variable.segments as (string | number)[]
      if (!isKnownPath(templateVariablesSchema, segments)) {
        throw new Error(
          `templates: ${path}:${variable.location.row}:${variable.location.col}: unknown variable "${segments.join('.')}" (known: profile, firing, offer.code, message; see docs/messages.md)`,
        )
      }
    }
  }
  return parsed
}

async function renderVariant(
  liquid: { html: Liquid; plain: Liquid },
  variant: Variant,
  scope: object,
): Promise<MessageContent> {
  const locale = (scope as { message: { locale: string } }).message.locale
  const html = withTextDirection(await liquid.html.render(variant.body, scope), locale)
  const subject = variant.subject === undefined ? undefined : (await liquid.plain.render(variant.subject, scope)).trim()
  const text = variant.text === undefined ? textOf(html) : (await liquid.plain.render(variant.text, scope)).trim()
  return { ...(subject === undefined ? {} : { subject }), html, text }
}

// The plain-text part when no `.text.liquid` exists: the HTML's text, block ends as line breaks.
function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n')
}

/** The customer's locale, else its language (`fa-IR` → `fa`), else the fallback. */
function pickLocale(have: readonly string[], wanted: string, fallback: string): string | undefined {
  const language = wanted.split('-')[0]!
  return [wanted, language, fallback].find((locale) => have.includes(locale))
}

// A render against an empty profile: catches what parsing cannot (a filter failing on its argument).
async function dryRender(render: RenderMessage, template: string, locale: string, path: string): Promise<void> {
  const profile: CustomerProfile = emptyProfile('dry-run')
  const firing: RuleFiring = {
    id: 'dry-run',
    ruleId: 'dry-run',
    customerId: 'dry-run',
    at: 0,
    event: { event: 'Rule Fired', properties: {} },
  } as RuleFiring
  try {
    await render({ template, locale, messageId: 'dry-run', profile, firing })
  } catch (error) {
    throw new Error(`templates: ${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
}
