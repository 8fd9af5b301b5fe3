/** Small inline SVG charts for the dashboard (no library: a few rectangles and labels). */

const esc = (value: string): string => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** Horizontal bars: one per funnel step, width ∝ customers, labelled with the rate from the start. */
export function funnelChart(
  steps: readonly { readonly step: string; readonly customers: number; readonly rateFromStart: number }[],
): string {
  const width = 420
  const rowHeight = 34
  const max = Math.max(1, ...steps.map((step) => step.customers))
  const rows = steps.map((step, index) => {
    const y = index * rowHeight
    const barWidth = Math.max(2, ((width - 150) * step.customers) / max)
    return `<text x="0" y="${y + 21}" font-size="12" fill="#374151">${esc(step.step)}</text>
      <rect x="130" y="${y + 6}" width="${barWidth.toFixed(1)}" height="22" rx="4" fill="#b5542b" opacity="${(1 - index * 0.18).toFixed(2)}"/>
      <text x="${(136 + barWidth).toFixed(1)}" y="${y + 21}" font-size="12" fill="#111827">${step.customers} · ${(step.rateFromStart * 100).toFixed(0)} %</text>`
  })
  return `<svg viewBox="0 0 ${width} ${steps.length * rowHeight}" role="img" aria-label="Funnel">${rows.join('')}</svg>`
}

/** Columns per minute (shopper events) with order counts marked as dots above them. */
export function timelineChart(buckets: readonly (readonly [number, number, number])[]): string {
  const width = 420
  const height = 136
  const base = 112
  const max = Math.max(1, ...buckets.map(([, events]) => events))
  const step = width / Math.max(1, buckets.length)
  const bars = buckets.map(([at, events, orders], index) => {
    const barHeight = (events / max) * (base - 52)
    const x = index * step
    const dots = Array.from(
      { length: Math.min(orders, 5) },
      (_, n) =>
        `<circle cx="${(x + step / 2).toFixed(1)}" cy="${(base - barHeight - 6 - n * 7).toFixed(1)}" r="3" fill="#16a34a"/>`,
    ).join('')
    const isLast = index === buckets.length - 1
    const label =
      index % 10 === 0 || isLast
        ? `<text x="${(isLast ? x + step : x).toFixed(1)}" y="${height - 8}" font-size="10" fill="#6b7280"${isLast ? ' text-anchor="end"' : ''}>${new Date(at).toISOString().slice(11, 16)}</text>`
        : ''
    return `<rect x="${(x + 1).toFixed(1)}" y="${(base - barHeight).toFixed(1)}" width="${Math.max(1, step - 2).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="#94a3b8"/>${dots}${label}`
  })
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Events per minute"><line x1="0" y1="${base}" x2="${width}" y2="${base}" stroke="#d1d5db"/>${bars.join('')}
    <text x="0" y="12" font-size="10" fill="#6b7280">▮ events (max ${max}/min) · <tspan fill="#16a34a">●</tspan> order · times UTC</text></svg>`
}

/** Bars of buyers per RFM segment. */
export function segmentChart(segments: Readonly<Record<string, number>>): string {
  const entries = Object.entries(segments).sort((a, b) => b[1] - a[1])
  if (entries.length === 0)
    return '<svg viewBox="0 0 300 40" role="img" aria-label="RFM segments"><text x="0" y="24" font-size="12" fill="#6b7280">No buyers yet</text></svg>'
  const rowHeight = 24
  const max = Math.max(1, ...entries.map(([, count]) => count))
  const rows = entries.map(([label, count], index) => {
    const y = index * rowHeight
    const barWidth = Math.max(2, (150 * count) / max)
    return `<text x="0" y="${y + 16}" font-size="12" fill="#374151">${esc(label)}</text><rect x="125" y="${y + 5}" width="${barWidth.toFixed(1)}" height="15" rx="3" fill="#0284c7"/><text x="${(130 + barWidth).toFixed(1)}" y="${y + 16}" font-size="12">${count}</text>`
  })
  return `<svg viewBox="0 0 300 ${entries.length * rowHeight}" role="img" aria-label="RFM segments">${rows.join('')}</svg>`
}
