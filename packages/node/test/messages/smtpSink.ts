import { SMTPServer } from 'smtp-server'
import { createTransport } from 'nodemailer'
import type { AddressInfo } from 'node:net'
import type { Channel, ChannelOutcome } from '@ecrm/core'

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
 * the server answers the DATA command, so a test may kill the sending process right there: that
 * mail never got its 250 and is not counted.
 */
export async function startSmtpSink(onMail?: (mail: ReceivedMail) => void | Promise<void>): Promise<{ port: number; mails: ReceivedMail[]; close: () => Promise<void> }> {
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
        void Promise.resolve(onMail?.(mail)).then(() => {
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

/**
 * A minimal email channel over nodemailer, Message-ID `<message id@ecrm.test>`, standing in for
 * wt/16channels' createSmtpChannel until it is merged (the integrator switches these tests to it).
 */
export function testSmtpChannel(port: number, clientName = 'ecrm-test'): Channel {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: clientName })
  return {
    name: 'email',
    kind: 'email',
    async send(message): Promise<ChannelOutcome> {
      try {
        const info = await transport.sendMail({
          from: 'shop@ecrm.test',
          to: message.recipient,
          subject: message.content.subject ?? '',
          text: message.content.text,
          ...(message.content.html === undefined ? {} : { html: message.content.html }),
          messageId: `<${message.id}@ecrm.test>`,
        })
        return { status: 'delivered', providerId: info.messageId }
      } catch (error) {
        return { status: 'retry', reason: String(error) }
      }
    },
    close: async () => transport.close(),
  }
}
