/**
 * Small inline-SVG charts for the analyze report: no scripts, no external assets, so the report
 * is one self-contained file that opens anywhere and prints.
 */

/** Escapes text for HTML and SVG content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

const formatCount = (value: number): string => value.toLocaleString('en-US')

/** One bar of {@link barChartSvg}. */
export interface Bar {
  readonly label: string
  readonly value: number
  readonly color: string
}

/** A horizontal bar chart with labels and values, one row per bar. */
export function barChartSvg(bars: readonly Bar[], { width = 560, unit = '' } = {}): string {
  const rowHeight = 26
  const labelWidth = 150
  const valueWidth = 90
  const max = Math.max(1, ...bars.map((bar) => bar.value))
  const plot = width - labelWidth - valueWidth
  const rows = bars.map((bar, index) => {
    const y = index * rowHeight
    const length = (bar.value / max) * plot
    return (
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 4}" width="${length.toFixed(1)}" height="${rowHeight - 8}" rx="3" fill="${bar.color}"/>` +
      `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 17}">${formatCount(bar.value)}${unit}</text>`
    )
  })
  return svg(width, bars.length * rowHeight, rows.join(''), 'bar chart')
}

/** One cell of {@link rfmGridSvg}: its customers and segment. */
export interface GridCell {
  readonly count: number
  readonly segmentLabel: string
  readonly color: string
}

/**
 * The R × F grid: recency score across (1 = long ago … 5 = recent), frequency score up (5 at the
 * top); each cell shows its customers and is tinted by its segment.
 */
export function rfmGridSvg(cell: (r: number, f: number) => GridCell, bins = 5): string {
  const size = 92
  const left = 40
  const top = 10
  const parts: string[] = []
  for (let f = bins; f >= 1; f -= 1) {
    for (let r = 1; r <= bins; r += 1) {
      const { count, segmentLabel, color } = cell(r, f)
      const x = left + (r - 1) * size
      const y = top + (bins - f) * size
      // An empty cell is drawn pale, so its text goes dark to stay readable.
      const ink = count === 0 ? ' style="fill:#475569"' : ''
      // Long labels ("Potential Loyalist") go on two lines to stay inside the cell.
      const words = segmentLabel.split(' ')
      const lines =
        segmentLabel.length > 11 && words.length > 1
          ? [words.slice(0, Math.ceil(words.length / 2)).join(' '), words.slice(Math.ceil(words.length / 2)).join(' ')]
          : [segmentLabel]
      const label = lines
        .map(
          (text, index) =>
            `<text x="${x + size / 2 - 1}" y="${y + 60 + index * 13}" text-anchor="middle" class="label"${ink}>${escapeHtml(text)}</text>`,
        )
        .join('')
      parts.push(
        `<rect x="${x}" y="${y}" width="${size - 2}" height="${size - 2}" rx="4" fill="${color}" fill-opacity="${count === 0 ? 0.35 : 1}"/>` +
          `<text x="${x + size / 2 - 1}" y="${y + 38}" text-anchor="middle" class="big"${ink}>${formatCount(count)}</text>` +
          label,
      )
    }
    parts.push(`<text x="${left - 10}" y="${top + (bins - f) * size + size / 2 + 4}" text-anchor="end">F${f}</text>`)
  }
  for (let r = 1; r <= bins; r += 1) {
    parts.push(
      `<text x="${left + (r - 0.5) * size - 1}" y="${top + bins * size + 18}" text-anchor="middle">R${r}</text>`,
    )
  }
  const width = left + bins * size + 10
  const height = top + bins * size + 30
  return svg(width, height, parts.join(''), 'RFM grid')
}

/** One row of {@link cohortHeatmapSvg}. */
export interface CohortRow {
  readonly label: string
  readonly customers: number
  /** Share active in month k after the first purchase; rates[0] = 1. */
  readonly rates: readonly number[]
}

/** Retention cohorts: one row per first-purchase month, one column per month since, shaded by rate. */
export function cohortHeatmapSvg(rows: readonly CohortRow[], maxMonths = 18): string {
  const cellWidth = 38
  const cellHeight = 20
  const left = 130
  const top = 24
  const months = Math.min(maxMonths, Math.max(1, ...rows.map((row) => row.rates.length)))
  // Month 0 is always 100 %: scale the shading to the later months so their differences show.
  const peak = Math.max(0.01, ...rows.flatMap((row) => row.rates.slice(1, months)))
  const parts: string[] = []
  for (let k = 0; k < months; k += 1) {
    parts.push(
      `<text x="${left + k * cellWidth + cellWidth / 2}" y="${top - 8}" text-anchor="middle" class="small">+${k}</text>`,
    )
  }
  rows.forEach((row, index) => {
    const y = top + index * cellHeight
    parts.push(
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end" class="small">${escapeHtml(row.label)} (${formatCount(row.customers)})</text>`,
    )
    row.rates.slice(0, months).forEach((rate, k) => {
      const shade = k === 0 ? 1 : Math.min(1, rate / peak)
      const fill = `rgba(37, 99, 235, ${(0.08 + 0.92 * shade).toFixed(3)})`
      const ink = shade > 0.55 ? '#fff' : '#1f2937'
      const x = left + k * cellWidth
      parts.push(
        `<rect x="${x}" y="${y}" width="${cellWidth - 1}" height="${cellHeight - 1}" fill="${fill}"/>` +
          `<text x="${x + cellWidth / 2}" y="${y + 14}" text-anchor="middle" class="tiny" style="fill:${ink}">${(rate * 100).toFixed(k === 0 ? 0 : 1)}</text>`,
      )
    })
  })
  return svg(left + months * cellWidth + 10, top + rows.length * cellHeight + 10, parts.join(''), 'retention cohorts')
}

/**
 * A histogram of values on evenly spaced bins up to the 99th percentile, plus one "more" bin
 * for the long tail (CLV distributions are very skewed).
 */
export function histogramSvg(values: readonly number[], { width = 560, bins = 24, currency = '' } = {}): string {
  const sorted = values.filter(Number.isFinite).sort((left, right) => left - right)
  if (sorted.length === 0) return '<p>No values.</p>'
  const low = Math.min(0, sorted[0] ?? 0)
  const high = Math.max(low + 1e-9, sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 1)
  const step = (high - low) / bins
  const counts = new Array<number>(bins + 1).fill(0)
  for (const value of sorted) {
    const index = value > high ? bins : Math.min(bins - 1, Math.floor((value - low) / step))
    counts[index] = (counts[index] ?? 0) + 1
  }
  const height = 220
  const bottom = 40
  const left = 50
  const plotWidth = width - left - 10
  const barWidth = plotWidth / (bins + 1)
  const max = Math.max(1, ...counts)
  const parts = counts.map((count, index) => {
    const barHeight = (count / max) * (height - bottom - 10)
    const x = left + index * barWidth
    const fill = index === bins ? '#9ca3af' : '#059669'
    return `<rect x="${x.toFixed(1)}" y="${(height - bottom - barHeight).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${fill}"><title>${formatCount(count)}</title></rect>`
  })
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => {
    // The last tick sits right of its bar edge, clear of the "more" label.
    const x = left + share * bins * barWidth
    const anchor = share === 1 ? 'end' : 'middle'
    return `<text x="${(share === 1 ? x - 2 : x).toFixed(1)}" y="${height - bottom + 16}" text-anchor="${anchor}" class="small">${currency}${(low + share * (high - low)).toFixed(0)}</text>`
  })
  ticks.push(
    `<text x="${(left + (bins + 0.5) * barWidth).toFixed(1)}" y="${height - bottom + 30}" text-anchor="middle" class="small">more</text>`,
  )
  ticks.push(`<text x="${left - 6}" y="${16}" text-anchor="end" class="small">${formatCount(max)}</text>`)
  ticks.push(`<line x1="${left}" y1="${height - bottom}" x2="${width - 10}" y2="${height - bottom}" stroke="#9ca3af"/>`)
  return svg(width, height, parts.join('') + ticks.join(''), 'histogram')
}

function svg(width: number, height: number, body: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}">${body}</svg>`
}
