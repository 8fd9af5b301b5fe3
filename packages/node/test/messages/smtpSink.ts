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

/**
 * A real SMTP server on a free local port that keeps every accepted mail. `onMail` runs before
 * the server answers the DATA command, so a test may kill the sending process right there and
 * return false: that mail is refused (451), never got its 250, and is not counted.
 */
export async function startSmtpSink(onMail?: (mail: ReceivedMail) => boolean | Promise<boolean>): Promise<{ port: number; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? ''
        const mail = { messageId, to: session.envelope.rcptTo.map((r) => r.address).join(','), raw, client: session.hostNameAppearsAs }
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

