import type { MetricDefinition } from './definitions.ts'

/** Label values of one series, keyed by the metric's label keys. */
export type Labels = Readonly<Record<string, string>>

/** Adds to a counter, or records a value in a histogram. */
export type Recorder = (value: number, labels: Labels) => void

/** Reports one gauge value while gauges are collected. */
export type Emit = (metric: MetricDefinition, value: number, labels: Labels) => void

/**
 * Where metrics go: an OpenTelemetry meter, or the Prometheus registry. Counters and histograms are
 * recorded as events happen; gauges are read when the sink collects (a scrape, an export).
 *
 * @example
 * const add = sink.counter(metrics.linesClaimed)
 * add(3, { provider: 'openai' })
 */
export interface MetricSink {
  counter(metric: MetricDefinition): Recorder
  histogram(metric: MetricDefinition, buckets: readonly number[]): Recorder
  /** Registers `collect`, called on every collection to emit the current values of `gauges`. */
  gauges(gauges: readonly MetricDefinition[], collect: (emit: Emit) => Promise<void>): void
}
