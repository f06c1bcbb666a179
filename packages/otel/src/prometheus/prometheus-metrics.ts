import type { Telemetry } from '@batchkit/core/telemetry'
import { type MetricBuckets, metricTelemetry } from '../metrics/metric-telemetry.ts'
import { PrometheusRegistry } from './registry.ts'
import { prometheusContentType } from './text.ts'

/** Options of {@link prometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Histogram buckets in seconds (defaults: provider calls 5 ms … 10 min, batch steps 1 ms … 10 min). */
  buckets?: MetricBuckets
}

/** batchkit's metrics kept in memory and rendered in the Prometheus text format. */
export interface PrometheusMetrics {
  /** Give it to the engine: `createBatchEngine({ …, telemetry: metrics.telemetry })`. */
  readonly telemetry: Telemetry
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string
  /** The metrics as Prometheus text; gauges (lines held, backlog) are read now. */
  render(): Promise<string>
  /** {@link render} as an HTTP response, for a `GET /metrics` route. */
  response(): Promise<Response>
}

/**
 * batchkit's metrics for Prometheus, without any dependency: counters and histograms kept in memory
 * from the engine's telemetry, gauges read on each scrape (lines this process holds; the backlog of
 * running batches, one store query). Serve `response()` at `GET /metrics`. Metric names and labels:
 * docs/observability.md. Use one per engine (or one for several engines of one store).
 *
 * @example
 * import { prometheusMetrics } from '@batchkit/otel'
 *
 * const metrics = prometheusMetrics()
 * const engine = createBatchEngine({ store, providers, telemetry: metrics.telemetry })
 * app.get('/metrics', () => metrics.response())
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = new PrometheusRegistry()
  const telemetry = metricTelemetry(registry, options.buckets)
  return {
    telemetry,
    contentType: prometheusContentType,
    render: () => registry.render(),
    async response() {
      return new Response(await registry.render(), {
        headers: { 'content-type': prometheusContentType, 'cache-control': 'no-store' },
      })
    },
  }
}
