import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { listenOnFreePort } from './listenOnFreePort.js'

/** One mail the demo's SMTP server accepted. */
export interface ReceivedMail {
  /** Position in arrival order (1-based): the `/dashboard/mail/<n>` a mail is viewed at. */
  readonly n: number
  readonly receivedAt: number
  /** The envelope's RCPT TO addresses. */
  readonly to: readonly string[]
  readonly subject: string
  readonly messageId: string
  /** The HTML part (empty when the mail has none). */
  readonly html: string
  /** The raw MIME source, as stored in `<n>.eml`. */
  readonly raw: string
}

/** The demo's own mail server. */
export interface DemoMailServer {
  readonly host: string
  readonly port: number
  /** Every mail received, oldest first (those kept in the folder from earlier runs included). */
  readonly mails: () => readonly ReceivedMail[]
  readonly close: () => Promise<void>
}

/**
 * A real SMTP server (the `smtp-server` package, no auth, no TLS: it only listens on loopback)
 * standing in for the shop's mail provider, so the demo's messages go through SMTP as in
 * production. Each mail is kept in memory and, with a folder, written as `<n>.eml` there (a later
 * start reads them back). Listens on `port`, or the next free one (up to +20).
 */
export async function startDemoMailServer(options: {
  readonly port: number
  readonly host?: string
  readonly folder?: string
}): Promise<DemoMailServer> {
  const host = options.host ?? '127.0.0.1'
  const { folder } = options
  const mails: ReceivedMail[] = []
  if (folder !== undefined) {
    mkdirSync(folder, { recursive: true })
    const kept = readdirSync(folder)
      .filter((file) => /^\d+\.eml$/.test(file))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
    for (const file of kept) mails.push(await parse(readFileSync(join(folder, file), 'utf8'), mails.length + 1, []))
  }
  // Parsing is async; chaining keeps arrival order (the n) even when two mails overlap.
  let received: Promise<unknown> = Promise.resolve()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const to = session.envelope.rcptTo.map((address) => address.address)
        received = received.then(async () => {
          const mail = await parse(raw, mails.length + 1, to)
          if (folder !== undefined) writeFileSync(join(folder, `${mail.n}.eml`), raw)
          mails.push(mail)
        })
        // 250 only once the mail is kept: the sender marks a message sent on this answer.
        received.then(
          () => callback(),
          (error: Error) => callback(error),
        )
      })
    },
  })
  const port = await listenOnFreePort(server.server, options.port, host)
  return {
    host,
    port,
    mails: () => mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function parse(raw: string, n: number, envelopeTo: readonly string[]): Promise<ReceivedMail> {
  const parsed = await simpleParser(raw)
  const headerTo = (Array.isArray(parsed.to) ? parsed.to : parsed.to === undefined ? [] : [parsed.to]).flatMap((to) =>
    to.value.map((address) => address.address ?? ''),
  )
  return {
    n,
    receivedAt: parsed.date?.getTime() ?? Date.now(),
    to: envelopeTo.length > 0 ? envelopeTo : headerTo.filter((address) => address !== ''),
    subject: parsed.subject ?? '',
    messageId: parsed.messageId ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    raw,
  }
}
