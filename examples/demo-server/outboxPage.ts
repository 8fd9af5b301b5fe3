import { DASHBOARD_STYLE, escapeHtml } from './dashboardPage.js'
import type { ReceivedMail } from './demoMailServer.js'
import type { OutboxData } from './outboxData.js'

const time = (at: number | null): string => (at === null ? '—' : new Date(at).toISOString().slice(11, 19))

/** `/dashboard/outbox`: the message outbox rows and the mails the demo's SMTP server received. */
export function renderOutboxPage(data: OutboxData): string {
  const messages = data.messages
    .map(
      (row) => `<tr data-message="${escapeHtml(row.messageId)}" data-status="${escapeHtml(row.status)}">
    <td><span class="tag status-${escapeHtml(row.status)}">${escapeHtml(row.status)}</span>${row.reason === null ? '' : ` <span class="muted">${escapeHtml(row.reason)}</span>`}</td>
    <td>${row.recipient === '' ? '<span class="muted">none</span>' : escapeHtml(row.recipient)}</td>
    <td>${escapeHtml(row.template)} <span class="muted">${escapeHtml(row.locale)} · ${escapeHtml(row.ruleId ?? '')}</span></td>
    <td>${escapeHtml(row.subject)}</td>
    <td>${time(row.createdAt)}${row.sentAt === null ? '' : ` <span class="muted">sent ${time(row.sentAt)}</span>`}</td>
    <td class="num">${row.opened}</td><td class="num">${row.clicked}</td><td class="num">${row.unsubscribed}</td></tr>`,
    )
    .join('')
  const mails = data.mails
    .map(
      (mail) => `<tr data-mail="${mail.n}">
    <td><a href="/dashboard/mail/${mail.n}">${escapeHtml(mail.subject || '(no subject)')}</a></td>
    <td>${escapeHtml(mail.to.join(', '))}</td>
    <td>${time(mail.receivedAt)}</td>
    <td class="muted">${escapeHtml(mail.messageId ?? '')}</td></tr>`,
    )
    .join('')
  return page(
    'Outbox',
    `<h2>Messages the rules wrote <span class="muted">(ecrm_messages)</span></h2>
  <table class="customers" id="messages"><thead><tr><th>Status</th><th>Recipient</th><th>Template</th><th>Subject</th><th>When</th><th>Opens</th><th>Clicks</th><th>Unsubscribes</th></tr></thead>
  <tbody>${messages || '<tr><td colspan="8" class="muted">None yet: sign up at checkout or in the newsletter form.</td></tr>'}</tbody></table>
  <h2>Mails the demo's SMTP server received</h2>
  <table class="customers" id="mails"><thead><tr><th>Subject</th><th>To</th><th>Received</th><th>Message</th></tr></thead>
  <tbody>${mails || '<tr><td colspan="4" class="muted">None yet.</td></tr>'}</tbody></table>
  <p class="muted">Computed ${new Date(data.now).toISOString()}. Reload to refresh.</p>`,
  )
}

/**
 * `/dashboard/mail/<n>`: one received mail. Its HTML is shown in a sandboxed frame (no scripts,
 * its own origin), so a customer's trait that reached a template cannot run in the dashboard.
 */
export function renderMailPage(mail: ReceivedMail): string {
  return page(
    mail.subject || '(no subject)',
    `<h2>${escapeHtml(mail.subject || '(no subject)')}</h2>
  <p class="muted">To ${escapeHtml(mail.to.join(', '))} · ${new Date(mail.receivedAt).toISOString()} · ${escapeHtml(mail.messageId)}</p>
  <iframe id="mail-html" sandbox="allow-popups" title="The mail's HTML" srcdoc="${escapeHtml(mail.html)}" style="width:100%;height:60vh;border:1px solid #e5e7eb;background:#fff"></iframe>
  <details><summary>MIME source</summary><pre>${escapeHtml(mail.raw)}</pre></details>`,
  )
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ecrm demo — ${escapeHtml(title)}</title><style>${DASHBOARD_STYLE}${STYLE}</style></head><body>
<header><h1>ecrm · outbox</h1><nav><a href="/dashboard">Dashboard</a> · <a href="/dashboard/outbox">Outbox</a> · <a href="/">Shop ↗</a></nav></header>
<main>${body}</main></body></html>`
}

const STYLE = `
.status-sent { background:#dcfce7; color:#166534; } .status-failed { background:#fee2e2; color:#991b1b; }
.status-suppressed { background:#f3f4f6; color:#374151; } .status-queued, .status-deferred { background:#fef3c7; color:#92400e; }
pre { white-space:pre-wrap; font-size:0.75rem; background:#fff; border:1px solid var(--line); padding:0.6rem; }
`
