import type { MetricDefinition } from '../metrics/definitions.ts'
import type { Emit, Labels, MetricSink, Recorder } from '../metrics/sink.ts'
import { escapeHelp, formatValue, labelSet } from './text.ts'

/** One labelled series of a counter or histogram. */
interface Series {
  values: string[]
  /** Counter: the total. Histogram: the sum of observations. */
  sum: number
  /** Histogram: observations per bucket (not cumulative; the last is +Inf). */
  buckets: number[]
  count: number
}

/** A counter or histogram and its series, keyed by their joined label values. */
interface Family {
  metric: MetricDefinition
  buckets: readonly number[]
  series: Map<string, Series>
}

/** Gauges and the function that emits their values on a scrape. */
interface GaugeGroup {
  gauges: readonly MetricDefinition[]
  collect: (emit: Emit) => Promise<void>
}

/** Keeps the series of a family apart: label values joined with a separator label values rarely hold. */
const keyOf = (values: readonly string[]): string => values.join('\u0000')

/**
 * Counters, histograms and gauges in memory, rendered as Prometheus text on demand. No dependency; all
 * state belongs to the instance.
 *
 * @example
 * const registry = new PrometheusRegistry()
 * registry.counter(metrics.linesClaimed)(3, { provider: 'mock' })
 * await registry.render() // '# HELP batchkit_lines_claimed_total …'
 */
export class PrometheusRegistry implements MetricSink {
  readonly #families: (Family | MetricDefinition)[] = []
  readonly #groups: GaugeGroup[] = []

  counter(metric: MetricDefinition): Recorder {
    return this.#family(metric, [])
  }

  histogram(metric: MetricDefinition, buckets: readonly number[]): Recorder {
    const sorted = [...new Set(buckets)].filter(Number.isFinite).sort((a, b) => a - b)
    return this.#family(metric, sorted)
  }

  gauges(gauges: readonly MetricDefinition[], collect: (emit: Emit) => Promise<void>): void {
    this.#groups.push({ gauges, collect })
    this.#families.push(...gauges)
  }

  #family(metric: MetricDefinition, buckets: readonly number[]): Recorder {
    const family: Family = { metric, buckets, series: new Map() }
    this.#families.push(family)
    const histogram = metric.kind === 'histogram'
    return (value: number, labels: Labels) => {
      const values = metric.labels.map((key) => labels[key] ?? '')
      const key = keyOf(values)
      let series = family.series.get(key)
      if (series === undefined) {
        series = { values, sum: 0, buckets: histogram ? new Array(buckets.length + 1).fill(0) : [], count: 0 }
        family.series.set(key, series)
      }
      series.sum += value
      series.count++
      if (histogram) {
        let i = 0
        while (i < buckets.length && value > buckets[i]!) i++
        series.buckets[i]!++
      }
    }
  }

  /**
   * Every metric in the Prometheus text format, in registration order, series sorted by label values;
   * gauges are collected now (their groups concurrently). A metric without series still gets its
   * `# HELP` and `# TYPE` lines.
   */
  async render(): Promise<string> {
    const gauged = new Map<MetricDefinition, Map<string, { values: string[]; value: number }>>()
    await Promise.all(
      this.#groups.map((group) =>
        group.collect((metric, value, labels) => {
          let series = gauged.get(metric)
          if (!series) {
            series = new Map()
            gauged.set(metric, series)
          }
          const values = metric.labels.map((key) => labels[key] ?? '')
          // The same series emitted twice (several engines) is summed.
          const key = keyOf(values)
          const existing = series.get(key)
          series.set(key, { values, value: (existing?.value ?? 0) + value })
        }),
      ),
    )
    const out: string[] = []
    for (const entry of this.#families) {
      const metric = 'metric' in entry ? entry.metric : entry
      out.push(`# HELP ${metric.prometheus} ${escapeHelp(metric.description)}`)
      out.push(`# TYPE ${metric.prometheus} ${metric.kind}`)
      if (!('metric' in entry)) {
        for (const { values, value } of sortedSeries(gauged.get(metric))) {
          out.push(`${metric.prometheus}${labelSet(metric.labels, values)} ${formatValue(value)}`)
        }
      } else if (metric.kind === 'counter') {
        for (const series of sortedSeries(entry.series)) {
          out.push(`${metric.prometheus}${labelSet(metric.labels, series.values)} ${formatValue(series.sum)}`)
        }
      } else {
        for (const series of sortedSeries(entry.series)) renderHistogram(out, entry, series)
      }
    }
    return `${out.join('\n')}\n`
  }
}

/** The series of a family in the order of their label values. */
function sortedSeries<T extends { values: string[] }>(series: Map<string, T> | undefined): T[] {
  if (!series) return []
  return [...series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value)
}

/** The `_bucket` (cumulative, ending with `le="+Inf"`), `_sum` and `_count` lines of one histogram series. */
function renderHistogram(out: string[], family: Family, series: Series): void {
  const { metric, buckets } = family
  const keys = [...metric.labels, 'le']
  let cumulative = 0
  for (let i = 0; i <= buckets.length; i++) {
    cumulative += series.buckets[i]!
    const le = i < buckets.length ? formatValue(buckets[i]!) : '+Inf'
    out.push(`${metric.prometheus}_bucket${labelSet(keys, [...series.values, le])} ${cumulative}`)
  }
  const labels = labelSet(metric.labels, series.values)
  out.push(`${metric.prometheus}_sum${labels} ${formatValue(series.sum)}`)
  out.push(`${metric.prometheus}_count${labels} ${series.count}`)
}
