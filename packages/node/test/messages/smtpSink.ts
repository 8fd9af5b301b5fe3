import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'

/** A mail the test SMTP server accepted (answered 250). */
export interface ReceivedMail {
  readonly messageId: string
  readonly to: string
  readonly raw: string
  /** The EHLO name of the client that sent it (which sender process). */
  readonly client: string
}

/** Options of {@link startSmtpSink}. */
export interface SmtpSinkOptions {
  /** Runs before the server answers DATA; false refuses the mail (451). */
  readonly onMail?: (mail: ReceivedMail) => boolean | Promise<boolean>
  /** Demands AUTH with these credentials (over plain text: a local test server). */
  readonly auth?: { readonly user: string; readonly pass: string }
}

/**
 * A real SMTP server on a free local port that keeps every accepted mail. `onMail` runs before
 * the server answers the DATA command, so a test may kill the sending process right there and
 * return false: that mail is refused (451), never got its 250, and is not counted.
 */
export async function startSmtpSink(
  options: SmtpSinkOptions = {},
): Promise<{ port: number; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const { onMail, auth } = options
  const mails: ReceivedMail[] = []
  const server = new SMTPServer({
    authOptional: auth === undefined,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(given, _session, callback) {
      if (auth !== undefined && given.username === auth.user && given.password === auth.pass)
        return callback(null, { user: auth.user })
      return callback(new Error('bad credentials'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? ''
        const mail = {
          messageId,
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          raw,
          client: session.hostNameAppearsAs,
        }
        void Promise.resolve(onMail?.(mail) ?? true).then((accept) => {
          if (!accept) return callback(Object.assign(new Error('try again later'), { responseCode: 451 }))
          mails.push(mail)
          callback()
        })
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
