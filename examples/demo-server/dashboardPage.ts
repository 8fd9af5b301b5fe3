import { DAY_MS } from '@ecrm/core'
import type { CustomerRow, DashboardData } from './dashboardData.js'
import { funnelChart, segmentChart, timelineChart } from './svgCharts.js'

/** Escapes text for HTML. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

const euro = (amount: number): string => `€${amount.toFixed(2)}`
const percent = (rate: number): string => `${(rate * 100).toFixed(1)} %`
const ago = (at: number | null, now: number): string => {
  if (at === null) return '—'
  const seconds = Math.max(0, Math.round((now - at) / 1000))
  return seconds < 60
    ? `${seconds} s ago`
    : seconds < 3600
      ? `${Math.floor(seconds / 60)} min ago`
      : new Date(at).toISOString().slice(0, 16).replace('T', ' ')
}

function customerRow(customer: CustomerRow, now: number): string {
  const who = customer.isIdentified
    ? `<strong>${escapeHtml(customer.email ?? customer.userIds[0] ?? customer.id)}</strong>${customer.name === null ? '' : `<br><span class="muted">${escapeHtml(customer.name)}</span>`}`
    : `<span class="muted">visitor ${escapeHtml(customer.id.replace(/^anon:/, '').slice(0, 8))}</span>`
  const ids = `<span class="ids" title="${escapeHtml([...customer.userIds, ...customer.anonymousIds].join('\n'))}">${customer.userIds.length} user · ${customer.anonymousIds.length} anon</span>`
  const segment =
    customer.rfm === null
      ? '<span class="muted">no order</span>'
      : `<span class="seg seg-${escapeHtml(customer.rfm.segment)}">${escapeHtml(customer.rfm.label)}</span> <span class="muted">${customer.rfm.r}${customer.rfm.f}${customer.rfm.m}</span>`
  const firings = Object.entries(customer.firings)
    .map(([rule, count]) => `<span class="tag">${escapeHtml(rule)}${count > 1 ? ` ×${count}` : ''}</span>`)
    .join(' ')
  return `<tr data-customer="${escapeHtml(customer.id)}">
    <td>${who}<br>${ids}</td>
    <td class="num">${customer.orders}</td><td class="num">${euro(customer.revenue)}</td>
    <td>${ago(customer.lastSeenAt, now)}</td>
    <td>${segment}</td>
    <td title="${escapeHtml(customer.lead.why.join('\n'))}"><strong>${customer.lead.grade}</strong> <span class="muted">${customer.lead.score} · ${escapeHtml(customer.lead.stage)}</span></td>
    <td class="num">${customer.probabilityAlive === null ? '<span class="muted">—</span>' : percent(customer.probabilityAlive)}</td>
    <td class="num">${euro(customer.clv)}</td>
    <td>${firings}</td></tr>`
}

/** The live part of the dashboard, server-rendered; the page swaps it every 2 s. */
export function renderDashboardBody(data: DashboardData): string {
  const { kpis, now } = data
  const cards = [
    [
      'Customers',
      `${data.totals.identified}`,
      `${data.totals.visitors} anonymous visitors · ${data.totals.events} events`,
    ],
    ['Conversion', percent(kpis.conversion), 'Product Viewed → Order Completed'],
    ['AOV', euro(kpis.aov.aov), `${kpis.aov.orders} orders · ${euro(kpis.aov.revenue)}`],
    [
      'Repeat rate',
      percent(kpis.repeatRate.rate),
      `${kpis.repeatRate.numerator} of ${kpis.repeatRate.denominator} buyers ordered again`,
    ],
    ['Rule firings', `${data.firings.length}`, `${data.pendingRules.length} timers armed`],
  ]
  const firings = data.firings
    .slice(0, 25)
    .map(
      (firing) =>
        `<li><span class="tag rule-${escapeHtml(firing.ruleId)}">${escapeHtml(firing.ruleId)}</span> ${escapeHtml(firing.who)} <span class="muted">${escapeHtml(firing.detail)} · ${ago(firing.at, now)}</span></li>`,
    )
    .join('')
  const pending = data.pendingRules
    .slice(0, 10)
    .map(
      (entry) =>
        `<li><span class="tag pending">${escapeHtml(entry.ruleId)}</span> ${escapeHtml(entry.who)} <span class="muted">in ${Math.max(0, Math.round((entry.dueAt - now) / 1000))} s</span></li>`,
    )
    .join('')
  const clvNote =
    data.clv.method === 'model' && data.clv.params !== null
      ? `${escapeHtml(data.clv.reason)} <span class="muted">r=${data.clv.params.r.toFixed(3)}, α=${data.clv.params.alpha.toFixed(3)}, a=${data.clv.params.a.toFixed(3)}, b=${data.clv.params.b.toFixed(3)}; p=${data.clv.params.p.toFixed(2)}, q=${data.clv.params.q.toFixed(2)}, γ=${data.clv.params.gamma.toFixed(2)}</span>`
      : escapeHtml(data.clv.reason)
  const dayNote =
    data.clv.dayMs === DAY_MS
      ? ''
      : ` Demo time: one model day (CLV, RFM recency) = ${data.clv.dayMs / 1000} s of real time.`
  return `<section class="cards">${cards.map(([title, value, sub]) => `<div class="card"><h3>${title}</h3><p class="big">${value}</p><p class="muted">${sub}</p></div>`).join('')}</section>
  <section class="charts">
    <figure><figcaption>Funnel (customers reaching each step)</figcaption>${funnelChart(kpis.funnel)}</figure>
    <figure><figcaption>Last 30 minutes: shopper events and orders per minute</figcaption>${timelineChart(data.timeline)}</figure>
    <figure><figcaption>RFM segments of buyers</figcaption>${segmentChart(kpis.segments)}</figure>
  </section>
  <section class="split">
    <div><h2>Rule firings</h2><ul class="firings" id="firings">${firings || '<li class="muted">None yet: add something to a cart and leave it there.</li>'}</ul></div>
    <div><h2>Armed timers</h2><ul class="firings" id="pending">${pending || '<li class="muted">None</li>'}</ul>
      <h2>Customer value</h2><p class="clv-method" data-method="${data.clv.method}">${clvNote}${escapeHtml(dayNote)}</p></div>
  </section>
  <h2>Customers</h2>
  <table class="customers"><thead><tr><th>Customer</th><th>Orders</th><th>Revenue</th><th>Last seen</th><th>RFM segment</th><th>Lead</th><th>P(alive)</th><th>CLV</th><th>Rules fired</th></tr></thead>
  <tbody>${data.customers.map((customer) => customerRow(customer, now)).join('') || '<tr><td colspan="9" class="muted">No customers yet: open the shop.</td></tr>'}</tbody></table>
  <p class="muted">Computed ${new Date(now).toISOString()} from the event store.</p>`
}

/** The whole `/dashboard` page: the body rendered now, and a little script that refreshes it. */
export function renderDashboardPage(data: DashboardData): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ecrm demo — customer dashboard</title><style>${DASHBOARD_STYLE}</style></head><body>
<header><h1>ecrm · live customers</h1><nav><a href="/dashboard/outbox">Outbox</a> · <a href="/">Shop ↗</a> · <a href="/dashboard.json">JSON</a> · <span id="status" class="muted">refreshes every 2 s</span></nav></header>
<main id="live">${renderDashboardBody(data)}</main>
<script>
// Refreshes the server-rendered part every 2 s from the JSON endpoint (which carries the same HTML).
setInterval(async () => {
  try {
    const answer = await fetch('/dashboard.json?html=1', { cache: 'no-store' })
    const data = await answer.json()
    document.getElementById('live').innerHTML = data.html
    document.getElementById('status').textContent = 'updated ' + new Date().toLocaleTimeString()
  } catch (error) {
    document.getElementById('status').textContent = 'offline: ' + error
  }
}, 2000)
</script></body></html>`
}

/** The dashboard pages' shared style sheet. */
export const DASHBOARD_STYLE = `
:root { --ink:#1f2430; --muted:#6b7280; --line:#e5e7eb; --accent:#b5542b; font-family: system-ui, sans-serif; }
body { margin:0; color:var(--ink); background:#f7f7f9; }
header { display:flex; justify-content:space-between; align-items:center; padding:0.8rem 1.5rem; background:#fff; border-bottom:1px solid var(--line); }
header h1 { font-size:1.2rem; margin:0; } a { color:var(--accent); }
main { padding:1rem 1.5rem; max-width:1280px; margin:0 auto; }
.cards { display:grid; grid-template-columns:repeat(5, 1fr); gap:0.8rem; }
.card, figure, .split > div { background:#fff; border:1px solid var(--line); border-radius:10px; padding:0.8rem 1rem; margin:0; }
.card h3 { margin:0; font-size:0.8rem; text-transform:uppercase; color:var(--muted); letter-spacing:0.04em; }
.big { font-size:1.7rem; font-weight:700; margin:0.2rem 0; } .card p { margin:0.1rem 0; }
.muted { color:var(--muted); font-size:0.85em; }
.charts { display:grid; grid-template-columns:1.2fr 1.2fr 1fr; gap:0.8rem; margin-top:0.8rem; }
figcaption { font-size:0.85rem; color:var(--muted); margin-bottom:0.4rem; } svg { width:100%; height:auto; display:block; }
.split { display:grid; grid-template-columns:1.4fr 1fr; gap:0.8rem; margin-top:0.8rem; } .split h2 { margin-top:0; font-size:1.05rem; } .split h3 { font-size:0.9rem; }
.firings { list-style:none; padding:0; margin:0; max-height:260px; overflow:auto; } .firings li { padding:0.25rem 0; border-bottom:1px solid var(--line); }
.tag { display:inline-block; background:#eef2ff; color:#3730a3; border-radius:6px; padding:0 0.4rem; font-size:0.8rem; font-family:ui-monospace, monospace; }
.rule-cart_abandoned { background:#fef3c7; color:#92400e; } .rule-welcome { background:#dcfce7; color:#166534; } .rule-win_back { background:#fce7f3; color:#9d174d; } .pending { background:#f3f4f6; color:#374151; }
table.customers { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line); border-radius:10px; font-size:0.9rem; }
.customers th, .customers td { text-align:left; padding:0.45rem 0.6rem; border-bottom:1px solid var(--line); vertical-align:top; }
.customers th { font-size:0.75rem; text-transform:uppercase; color:var(--muted); } .num { text-align:right !important; font-variant-numeric:tabular-nums; }
.ids { font-size:0.75rem; color:var(--muted); }
.seg { border-radius:6px; padding:0 0.4rem; background:#e0f2fe; color:#075985; font-size:0.85em; }
h2 { font-size:1.1rem; margin:1.2rem 0 0.5rem; }
@media (max-width: 900px) { .cards, .charts, .split { grid-template-columns:1fr; } }
`
