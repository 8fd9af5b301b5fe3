// A minimal email Channel over nodemailer (Message-ID `<message id@ecrm.test>`) for the sender
// processes of the PostgreSQL test: it sets the EHLO name per process, which tells the senders
// apart at the SMTP server and which createSmtpChannel has no option for (plain .mjs so a child
// `node` runs it without a build).
import { createTransport } from 'nodemailer'

/** @param {number} port @param {string} clientName the EHLO name, which tells the sender processes apart */
export function nodemailerChannel(port, clientName = 'ecrm-test') {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: clientName })
  return {
    name: 'email',
    kind: 'email',
    async send(message) {
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
