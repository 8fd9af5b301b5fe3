import { simpleParser } from 'mailparser'
import type { ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'

/** A mail the test SMTP server accepted: the envelope, the raw MIME, and mailparser's reading of it. */
export interface ReceivedMail {
  readonly from: string
  readonly to: readonly string[]
  readonly raw: string
  readonly parsed: ParsedMail
}

/** A real SMTP server (smtp-server, STARTTLS with its built-in certificate, AUTH PLAIN/LOGIN) on 127.0.0.1. */
export interface SmtpTestServer {
  readonly port: number
  readonly mails: ReceivedMail[]
  /** Connections opened so far (pooling shows as fewer connections than mails). */
  readonly connections: () => number
  readonly close: () => Promise<void>
}

/** Starts the server. Recipients at `unknown.example` get 550 5.1.1; `greylist.example` 451 4.7.1. */
export async function startSmtpServer(
  credentials = { user: 'shop', pass: 'secret-password' },
): Promise<SmtpTestServer> {
  const mails: ReceivedMail[] = []
  let connections = 0
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1
      callback()
    },
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass)
        callback(null, { user: auth.username })
      else callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }))
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@unknown.example'))
        return callback(
          Object.assign(new Error('5.1.1 <' + address.address + '>: Recipient address rejected: User unknown'), {
            responseCode: 550,
          }),
        )
      if (address.address.endsWith('@greylist.example'))
        return callback(Object.assign(new Error('4.7.1 Greylisted, try again later'), { responseCode: 451 }))
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        simpleParser(raw).then((parsed) => {
          mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw,
            parsed,
          })
          callback()
        }, callback)
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    mails,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
