/** Result rows, verdicts, and the table printed to the terminal and written as markdown. */

/** How a row fared against its target. */
export type Verdict = 'PASS' | 'MISS' | 'pending' | 'info'

/** One line of the results table. */
export interface Row {
  scenario: string
  metric: string
  /** The ceiling or baseline, formatted with its unit. */
  baseline: string
  /** batchkit's figure, formatted with its unit. */
  batchkit: string
  /** batchkit against the baseline (direction given by `target`); null when not applicable. */
  ratio: number | null
  /** The target, e.g. `≥ 0.85`, `≤ 2×`, `< 100 MB`. */
  target: string
  status: Verdict
  /** Why a row missed or is pending, or what it ran on. */
  note?: string
  /** Raw measurements, kept in latest.json. */
  raw?: Record<string, unknown>
}

/** PASS when `value >= min`. */
export const atLeast = (value: number, min: number): Verdict => (value >= min ? 'PASS' : 'MISS')
/** PASS when `value <= max`. */
export const atMost = (value: number, max: number): Verdict => (value <= max ? 'PASS' : 'MISS')

/** `1234.5` → `1.23 s`; under a second in ms. */
export function fmtMs(ms: number): string {
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(2)} s`
  if (ms >= 10) return `${ms.toFixed(0)} ms`
  return `${ms.toFixed(2)} ms`
}

/** A rate with its unit, e.g. `5,210 lines/s`. */
export function fmtRate(perSecond: number, unit: string): string {
  return `${Math.round(perSecond).toLocaleString('en-US')} ${unit}/s`
}

/** Bytes as MB (10^6). */
export function fmtMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}

/** A ratio with two decimals, or `×` for multiples. */
export function fmtRatio(ratio: number | null, multiple = false): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—'
  return multiple ? `${ratio.toFixed(2)}×` : ratio.toFixed(2)
}

const columns = ['Scenario', 'Metric', 'Baseline', 'batchkit', 'Ratio', 'Target', 'Result'] as const

function cells(row: Row): string[] {
  const multiple = row.target.includes('×')
  return [
    row.scenario,
    row.metric,
    row.baseline,
    row.batchkit,
    fmtRatio(row.ratio, multiple),
    row.target,
    row.status,
  ]
}

/** The table as aligned plain text for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const body = rows.map(cells)
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((r) => r[i]!.length)))
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  const out = [line(columns), widths.map((w) => '─'.repeat(w)).join('  ')]
  for (const r of body) out.push(line(r))
  return out.join('\n')
}

/** The table as GitHub markdown, with the notes as a numbered list under it. */
export function markdownTable(rows: readonly Row[]): string {
  const escapeCell = (v: string): string => v.replaceAll('|', '\\|')
  const out = [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`]
  const notes: string[] = []
  for (const row of rows) {
    const c = cells(row).map(escapeCell)
    if (row.note) {
      notes.push(row.note)
      c[6] = `${c[6]} [${notes.length}]`
    }
    out.push(`| ${c.join(' | ')} |`)
  }
  if (notes.length > 0) {
    out.push('')
    notes.forEach((note, i) => {
      out.push(`${i + 1}. ${note}`)
    })
  }
  return out.join('\n')
}
