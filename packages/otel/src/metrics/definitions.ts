/**
 * How a metric is kept: counters only go up, gauges are read when collected, histograms bucket durations.
 *
 * @example
 * const kind: MetricKind = batchkitMetrics.linesHeld.kind // 'gauge'
 */
export type MetricKind = 'counter' | 'gauge' | 'histogram'

/**
 * One metric of batchkit, under both its names: OpenTelemetry's (dotted, with a unit) and the
 * Prometheus name an OpenTelemetry Prometheus exporter derives from it (dots to underscores, the unit's
 * suffix, `_total` for counters), which `prometheusMetrics()` uses too — so dashboards work either way.
 *
 * @example
 * const { prometheus, labels }: MetricDefinition = batchkitMetrics.retries // 'batchkit_retries_total', ['provider', 'reason']
 */
export interface MetricDefinition {
  /** The OpenTelemetry instrument name, e.g. `batchkit.provider.call.duration`. */
  name: string
  /** The Prometheus metric name, e.g. `batchkit_provider_call_duration_seconds`. */
  prometheus: string
  kind: MetricKind
  /** UCUM unit (`s`, or an annotation such as `{line}`). */
  unit: string
  description: string
  /** Label (attribute) keys, in the order they are rendered. */
  labels: readonly string[]
}

const counter = (
  name: string,
  unit: string,
  labels: readonly string[],
  description: string,
): MetricDefinition => ({
  name,
  prometheus: `${name.replaceAll('.', '_')}_total`,
  kind: 'counter',
  unit,
  description,
  labels,
})

const gauge = (
  name: string,
  unit: string,
  labels: readonly string[],
  description: string,
): MetricDefinition => ({
  name,
  prometheus: name.replaceAll('.', '_'),
  kind: 'gauge',
  unit,
  description,
  labels,
})

const seconds = (name: string, labels: readonly string[], description: string): MetricDefinition => ({
  name,
  prometheus: `${name.replaceAll('.', '_')}_seconds`,
  kind: 'histogram',
  unit: 's',
  description,
  labels,
})

/**
 * Every metric batchkit reports, in the order `/metrics` renders them. Labels are low-cardinality by
 * design: providers, outcomes, statuses, steps — never batch, request or tenant ids (those are on spans).
 *
 * @example
 * import { batchkitMetrics } from '@batchkit/otel'
 * batchkitMetrics.providerCallDuration.prometheus // 'batchkit_provider_call_duration_seconds'
 * batchkitMetrics.providerCallDuration.name // 'batchkit.provider.call.duration' (OpenTelemetry)
 */
export const batchkitMetrics = {
  linesRecorded: counter(
    'batchkit.lines.recorded',
    '{line}',
    ['provider', 'outcome'],
    'Line outcomes written to the store: succeeded, failed, retry (a retry scheduled), unsent (handed back unsent).',
  ),
  linesDropped: counter(
    'batchkit.lines.dropped',
    '{line}',
    ['provider'],
    'Line outcomes the store refused because their lease lapsed: those lines ran again elsewhere.',
  ),
  linesClaimed: counter(
    'batchkit.lines.claimed',
    '{line}',
    ['provider'],
    'Request lines this process claimed.',
  ),
  batchesClaimed: counter(
    'batchkit.batches.claimed',
    '{batch}',
    [],
    'Batches this process claimed for a batch-level step.',
  ),
  providerCalls: counter(
    'batchkit.provider.calls',
    '{call}',
    ['provider', 'outcome', 'status'],
    'Provider calls by the line outcome decided and the HTTP status (or error code when there was no answer).',
  ),
  rateLimited: counter(
    'batchkit.provider.rate_limited',
    '{call}',
    ['provider'],
    'Provider calls answered 429 (rate limited).',
  ),
  retries: counter(
    'batchkit.retries',
    '{line}',
    ['provider', 'reason'],
    'Retries scheduled, by reason: rate_limited (429), status (another retryable status), network (no answer), unsent (never sent).',
  ),
  leaseLosses: counter(
    'batchkit.lease.losses',
    '{lease}',
    ['kind'],
    'Leases this process lost: lines (outcomes of a lapsed lease refused) or batch (a step lost its batch lease).',
  ),
  transitions: counter(
    'batchkit.batch.transitions',
    '{transition}',
    ['to'],
    'Status changes batch steps decided, by the status moved to.',
  ),
  storeFaults: counter(
    'batchkit.store.faults',
    '{fault}',
    ['operation'],
    'Store failure streaks that started (record, renew, load); each lasts until the operation succeeds again.',
  ),
  providerCallDuration: seconds(
    'batchkit.provider.call.duration',
    ['provider', 'outcome'],
    'Duration of provider calls, by the line outcome decided.',
  ),
  stepDuration: seconds(
    'batchkit.batch.step.duration',
    ['step', 'result'],
    'Duration of batch-level steps (validate, run, finish, native, terminal), by result (ok, error).',
  ),
  linesHeld: gauge(
    'batchkit.lines.held',
    '{line}',
    ['provider', 'state'],
    'Lines this process holds: queued (claimed, waiting for a slot) or running (the provider call is in flight).',
  ),
  backlogLines: gauge(
    'batchkit.backlog.lines',
    '{line}',
    ['provider'],
    'Lines of running batches without an outcome yet, across all processes (one store query per collection).',
  ),
  batchesRunning: gauge(
    'batchkit.batches.running',
    '{batch}',
    ['provider'],
    'Batches in_progress, across all processes (same store query as batchkit.backlog.lines).',
  ),
  storeFailing: gauge(
    'batchkit.store.failing',
    '1',
    ['operation'],
    '1 while the store fails an operation the runner retries (record, renew, load), else 0.',
  ),
} as const satisfies Record<string, MetricDefinition>

/** The key of a metric in {@link batchkitMetrics}. */
export type MetricKey = keyof typeof batchkitMetrics

/** Default histogram buckets of provider calls, in seconds: 5 ms to 10 min. */
export const callBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
]

/** Default histogram buckets of batch steps, in seconds: 1 ms to 10 min. */
export const stepBuckets: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600]
