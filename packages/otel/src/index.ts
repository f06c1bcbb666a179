/**
 * `@batchkit/otel` — metrics and traces of a batchkit engine: `openTelemetry(api)` (spans and metrics on
 * the host's `@opentelemetry/api`, an optional peer) and `prometheusMetrics()` (a Prometheus text
 * `/metrics`, no dependency). Both are a `Telemetry` for `createBatchEngine({ telemetry })`.
 *
 * @example
 * import * as api from '@opentelemetry/api'
 * import { openTelemetry, prometheusMetrics } from '@batchkit/otel'
 *
 * const prometheus = prometheusMetrics()
 * const engine = createBatchEngine({ store, providers, telemetry: [prometheus.telemetry, openTelemetry(api)] })
 * app.get('/metrics', () => prometheus.response())
 */
export { batchkitMetrics, type MetricDefinition, type MetricKind } from './metrics/definitions.ts'
export type { MetricBuckets } from './metrics/metric-telemetry.ts'
export type { OpenTelemetryApi } from './opentelemetry/api.ts'
export { type OpenTelemetryOptions, openTelemetry } from './opentelemetry/open-telemetry.ts'
export {
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
  prometheusMetrics,
} from './prometheus/prometheus-metrics.ts'
export { prometheusContentType } from './prometheus/text.ts'
