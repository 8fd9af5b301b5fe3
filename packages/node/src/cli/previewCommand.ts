import { defineCommand } from './command.js'
import { openStore } from './openStore.js'
import { readConfig } from './readConfig.js'

const USAGE_LINE =
  'ecrm preview <template> --customer <id> --config <file> [--locale <l>] [--data-dir <path> | --database-url <url>]'

/** `ecrm preview`: renders a template for a stored customer, as a rule firing now would. */
export const previewCommand = defineCommand({
  name: 'preview',
  summary: 'Render a template for a stored customer: prints subject, HTML and text',
  usage: `Usage: ${USAGE_LINE}

Renders a template of the config's "templates" folder for a stored customer, as a rule firing now would.
  --customer <id>       the customer (profile id)
  --config <file>       ecrm.config.json with "templates"
  --locale <l>          template locale (default the customer's locale trait, else en)
  --data-dir <path>     embedded PGlite data directory (default .ecrm-data)
  --database-url <url>  PostgreSQL instead of PGlite (env DATABASE_URL)
  -h, --help            this text`,
  allowPositionals: true,
  options: {
    customer: { type: 'string' },
    locale: { type: 'string' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
  },
  run: async ({ values, positionals }) => {
    const [template] = positionals
    if (template === undefined || values.customer === undefined || values.config === undefined) {
      console.error(`ecrm preview: usage: ${USAGE_LINE}`)
      return 2
    }
    const config = await readConfig('preview', values.config)
    if (config === 2 || config === undefined) return 2
    const { templatesOf } = await import('../config/configMessages.js')
    let templates: Awaited<ReturnType<typeof import('../config/configMessages.js').templatesOf>>
    try {
      templates = await templatesOf(config, process.env)
    } catch (error) {
      console.error(`ecrm preview: ${error instanceof Error ? error.message : String(error)}`)
      return 2
    }
    if (templates === undefined) {
      console.error(`ecrm preview: ${values.config} has no "templates" folder`)
      return 2
    }
    const store = await openStore(values)
    try {
      const profile = await store.getProfile(values.customer)
      if (profile === undefined) {
        console.error(`ecrm preview: no customer "${values.customer}" in the store`)
        return 2
      }
      const traitLocale = profile.traits['locale']
      const locale = values.locale ?? (typeof traitLocale === 'string' && traitLocale !== '' ? traitLocale : 'en')
      const at = Date.now()
      // A preview firing: what the customer would get if a rule fired now.
      const firing = {
        id: `preview-${at.toString(36)}`,
        ruleId: 'preview',
        customerId: profile.id,
        at,
        event: { event: 'Rule Fired', properties: {} },
      }
      const content = await templates.render({ template, locale, messageId: `${firing.id}:0`, profile, firing })
      console.log(
        `Subject: ${content.subject ?? ''}\n\n--- html ---\n${content.html ?? ''}\n\n--- text ---\n${content.text}`,
      )
      return 0
    } catch (error) {
      console.error(`ecrm preview: ${error instanceof Error ? error.message : String(error)}`)
      return 2
    } finally {
      await store.close()
    }
  },
})
