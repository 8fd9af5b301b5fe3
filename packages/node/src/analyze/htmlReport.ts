import { defaultRfmSegments } from '@ecrm/core'
import type { CustomerAnalysis } from './analyzeCustomers.js'
import { segmentOrder } from './analyzeCustomers.js'
import type { BadRow } from './readOrders.js'
import { barChartSvg, cohortHeatmapSvg, escapeHtml, histogramSvg, rfmGridSvg } from './svgCharts.js'

/** What the report says about the input besides the analysis. */
export interface ReportInput {
  readonly title: string
  readonly source: string
  readonly rows: number
  readonly revenue: number
  readonly badRows: readonly BadRow[]
  readonly badRowCount: number
  /** Printed before money, e.g. `$`. */
  readonly currency: string
}

/** A colour per default segment, warm for the valuable ones, grey for the lost ones. */
const segmentColors: Readonly<Record<string, string>> = {
  champions: '#15803d',
  loyal: '#22c55e',
  potential_loyalist: '#84cc16',
  new_customers: '#0ea5e9',
  promising: '#38bdf8',
  need_attention: '#facc15',
  about_to_sleep: '#fb923c',
  at_risk: '#ef4444',
  cant_lose_them: '#b91c1c',
  hibernating: '#9ca3af',
}
const colorOf = (segment: string): string => segmentColors[segment] ?? '#64748b'

const money = (currency: string, value: number): string =>
  `${currency}${value.toLocaleString('en-US', { maximumFractionDigits: 0 })}`

/** Renders the analysis as one self-contained HTML page with inline SVG charts. */
export function renderReport(analysis: CustomerAnalysis, input: ReportInput): string {
  const { customers, bgNbd, gammaGamma } = analysis
  const cellCounts = new Map<string, { count: number; segment: string; label: string }>()
  const segmentCounts = new Map<string, number>()
  for (const { rfm } of customers) {
    if (rfm === null) continue
    const key = `${rfm.r}:${rfm.f}`
    const cell = cellCounts.get(key) ?? { count: 0, segment: rfm.segment, label: rfm.label }
    cell.count += 1
    cellCounts.set(key, cell)
    segmentCounts.set(rfm.segment, (segmentCounts.get(rfm.segment) ?? 0) + 1)
  }
  // Label every cell, empty ones too, from the default map's ranges.
  const grid = rfmGridSvg((r, f) => {
    const cell = cellCounts.get(`${r}:${f}`)
    const segment = defaultRfmSegments.find((s) => s.r[0] <= r && r <= s.r[1] && s.f[0] <= f && f <= s.f[1])
    const id = cell?.segment ?? segment?.id ?? ''
    return { count: cell?.count ?? 0, segmentLabel: cell?.label ?? segment?.label ?? '', color: colorOf(id) }
  })
  const bars = segmentOrder.map(({ id, label }) => ({ label, value: segmentCounts.get(id) ?? 0, color: colorOf(id) }))
  const cohorts = cohortHeatmapSvg(
    analysis.cohorts
      .slice(-24)
      .map(({ cohort, customers: size, rates }) => ({ label: cohort, customers: size, rates })),
  )
  const clvs = customers.map(({ value, historicClv }) => value?.clv ?? historicClv)
  const predictive = bgNbd !== null && gammaGamma !== null
  const totalClv = clvs.reduce((sum, value) => sum + value, 0)
  const aliveValues = customers.flatMap(({ value }) => (value === null ? [] : [value.probabilityAlive]))
  const meanAlive = aliveValues.reduce((sum, value) => sum + value, 0) / Math.max(1, aliveValues.length)
  const repeatBuyers = customers.filter(({ summary }) => summary.frequency > 0).length
  const top = [...customers]
    .sort((left, right) => (right.value?.clv ?? right.historicClv) - (left.value?.clv ?? left.historicClv))
    .slice(0, 15)
  const c = input.currency
  const end = new Date(analysis.calibrationEnd).toISOString().slice(0, 10)

  const cards = [
    ['Customers', customers.length.toLocaleString('en-US')],
    ['Orders read', input.rows.toLocaleString('en-US')],
    ['Revenue', money(c, input.revenue)],
    ['Repeat buyers', `${((repeatBuyers / Math.max(1, customers.length)) * 100).toFixed(1)} %`],
    predictive ? ['Mean P(alive)', `${(meanAlive * 100).toFixed(1)} %`] : ['P(alive)', 'not fitted'],
    [predictive ? `CLV, next ${analysis.horizon} ${analysis.unit}` : 'Historic value', money(c, totalClv)],
  ]
  const modelText = predictive
    ? `BG/NBD r = ${bgNbd.r.toFixed(3)}, α = ${bgNbd.alpha.toFixed(3)}, a = ${bgNbd.a.toFixed(3)}, b = ${bgNbd.b.toFixed(3)} (LL ${bgNbd.logLikelihood.toFixed(1)}); ` +
      `Gamma-Gamma p = ${gammaGamma.p.toFixed(2)}, q = ${gammaGamma.q.toFixed(2)}, γ = ${gammaGamma.gamma.toFixed(2)}. ` +
      `Time in ${analysis.unit}; CLV over ${analysis.horizon} ${analysis.unit}, discounted at ${(analysis.discountRate * 100).toFixed(1)} % a year, margin ${(analysis.margin * 100).toFixed(0)} %.`
    : 'No predictive model: CLV shown is historic (margin × spend so far).'
  const badList = input.badRows
    .slice(0, 10)
    .map(({ line, reason }) => `<li>line ${line}: ${escapeHtml(reason)}</li>`)
    .join('')

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f8fafc;margin:0;padding:24px 32px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 10px}
.muted{color:#64748b}.cards{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:18px 0}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 14px}.card b{display:block;font-size:20px}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}.wide{grid-column:1/-1}
section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:14px 16px;overflow-x:auto}
svg text{font-size:12px;fill:#1f2937}svg text.big{font-size:18px;font-weight:600;fill:#fff}svg text.small{font-size:11px}
svg text.label{font-size:10.5px;fill:#fff}svg text.tiny{font-size:10px}
table{border-collapse:collapse;width:100%}td,th{padding:3px 8px;border-bottom:1px solid #f1f5f9;text-align:right}th:first-child,td:first-child{text-align:left}
</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
<div class="muted">Source: ${escapeHtml(input.source)} · calibration ends ${end} · ${input.badRowCount.toLocaleString('en-US')} bad rows skipped</div>
<div class="cards">${cards.map(([label, value]) => `<div class="card"><span class="muted">${escapeHtml(label ?? '')}</span><b>${escapeHtml(value ?? '')}</b></div>`).join('')}</div>
<div class="grid">
<section><h2>RFM grid (recency × frequency scores)</h2>${grid}</section>
<section><h2>Segment sizes</h2>${barChartSvg(bars)}</section>
<section class="wide"><h2>Retention by first-purchase month (% of cohort buying in month +k)</h2>${cohorts}</section>
<section><h2>${predictive ? `CLV distribution (next ${analysis.horizon} ${analysis.unit})` : 'Historic value distribution'}</h2>${histogramSvg(clvs, { currency: c })}
<p class="muted">${escapeHtml(modelText)}</p></section>
<section><h2>Most valuable customers</h2><table><tr><th>customer</th><th>segment</th><th>orders</th><th>spend</th><th>P(alive)</th><th>exp. purchases</th><th>CLV</th></tr>
${top
  .map(
    ({ summary, rfm, value, historicClv }) =>
      `<tr><td>${escapeHtml(summary.customerId)}</td><td>${escapeHtml(rfm?.label ?? '')}</td><td>${summary.frequency + 1}</td><td>${money(c, summary.totalSpend)}</td>` +
      `<td>${value === null ? '' : `${(value.probabilityAlive * 100).toFixed(0)} %`}</td><td>${value === null ? '' : value.expectedPurchases.toFixed(2)}</td><td>${money(c, value?.clv ?? historicClv)}</td></tr>`,
  )
  .join('')}</table></section>
<section class="wide"><h2>Notes</h2><ul>${analysis.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('') || '<li>None.</li>'}${badList === '' ? '' : `<li>First bad rows:<ul>${badList}</ul></li>`}</ul></section>
</div></body></html>
`
}
