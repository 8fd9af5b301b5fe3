/**
 * What an SMTP failure means for a message: the reply code (RFC 5321 §4.2.1: 4yz transient,
 * 5yz permanent), the enhanced status code when the server gives one (RFC 3463: X.1.x addressing,
 * X.7.x policy), and the command it answered. Connection trouble is always transient.
 */
import type { ChannelOutcome } from '@ecrm/core'

/** The parts of a nodemailer error this reads (it sets `code`, `responseCode`, `command`, `response`). */
export interface SmtpFailure {
  readonly code?: string
  readonly responseCode?: number
  readonly command?: string
  readonly response?: string
  readonly message?: string
}

/**
 * Classifies a failed SMTP send. 5xx to RCPT TO with X.1.x (or 550/551/553 without an enhanced
 * code) → `invalid_recipient`; X.7.x or a 5xx to MAIL FROM → `rejected`; other 5xx → `bounce`;
 * 4xx, refused connections, timeouts, TLS and DNS trouble → retry. A refused login (535) is
 * retried too: it is the sender's configuration, not the recipient, so suppressing would be wrong.
 *
 * @example
 * classifySmtpFailure({ responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 No such user' })
 * // { status: 'failed', failure: 'invalid_recipient', reason: 'SMTP RCPT TO: 550 5.1.1 No such user' }
 */
export function classifySmtpFailure(error: SmtpFailure): Exclude<ChannelOutcome, { status: 'delivered' }> {
  const code = error.responseCode
  const said = (error.response ?? error.message ?? 'no reply').trim().slice(0, 300)
  const reason = `SMTP ${error.command === undefined ? '' : `${error.command}: `}${said}`
  if (error.code === 'EAUTH') return { status: 'retry', reason: `${reason} (check the channel's auth)` }
  if (code === undefined || code < 500 || code > 599) {
    if (error.code === 'EENVELOPE' && code === undefined)
      return { status: 'failed', failure: 'invalid_recipient', reason }
    return { status: 'retry', reason }
  }
  const enhanced = /\b5\.(\d{1,3})\.\d{1,3}\b/.exec(said)?.[1]
  if (enhanced === '7') return { status: 'failed', failure: 'rejected', reason }
  if (error.command === 'MAIL FROM') return { status: 'failed', failure: 'rejected', reason }
  const isRecipientCommand = error.command === undefined || error.command.startsWith('RCPT')
  if (
    isRecipientCommand &&
    (enhanced === '1' || (enhanced === undefined && (code === 550 || code === 551 || code === 553)))
  ) {
    return { status: 'failed', failure: 'invalid_recipient', reason }
  }
  return { status: 'failed', failure: 'bounce', reason }
}
