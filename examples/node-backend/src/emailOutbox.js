import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Subject lines of the shop's emails, by template id. @type {Record<string, string>} */
const SUBJECTS = {
  welcome: 'Welcome to the shop!',
  cart_reminder: 'You left something in your cart',
  win_back: 'We miss you: 15% off your next order',
}

/**
 * @typedef {object} Email
 * @property {string} sentAt ISO time.
 * @property {string | null} to The address, or null when the customer gave none (not sent).
 * @property {string} template
 * @property {string} subject
 * @property {string} ruleId
 * @property {string} customerId The store's customer id.
 * @property {Record<string, unknown>} data What the email shows (the cart, the last order...).
 */

/**
 * A stand-in for an email service: each email is one JSON line appended to `file`, and one line
 * on the log. Swap `send` for a call to your provider (it receives the same object).
 *
 * @param {{ file: string, log: (line: string) => void }} options
 */
export function createEmailOutbox({ file, log }) {
  return {
    /** @param {Omit<Email, 'sentAt' | 'subject'>} email */
    async send(email) {
      /** @type {Email} */
      const line = { sentAt: new Date().toISOString(), subject: SUBJECTS[email.template] ?? email.template, ...email }
      await mkdir(dirname(file), { recursive: true })
      await appendFile(file, `${JSON.stringify(line)}\n`)
      log(
        line.to === null
          ? `email ${line.template} not sent: customer ${line.customerId} has no address`
          : `email ${line.template} → ${line.to}: "${line.subject}"`,
      )
      return line
    },
    /** Every email written so far (oldest first). @returns {Promise<Email[]>} */
    async read() {
      const text = await readFile(file, 'utf8').catch(() => '')
      return text
        .split('\n')
        .filter((row) => row !== '')
        .map((row) => JSON.parse(row))
    },
  }
}
