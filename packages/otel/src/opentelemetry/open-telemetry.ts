import { combineTelemetry, type Telemetry } from '@batchkit/core/telemetry'
import { type MetricBuckets, metricTelemetry } from '../metrics/metric-telemetry.ts'
import type { OpenTelemetryApi } from './api.ts'
import { meterSink } from './meter-sink.ts'
import { tracingTelemetry } from './tracing.ts'

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Spans of batch steps and provider calls (default true). */
  traces?: boolean
  /** batchkit's metrics on a meter (default true). */
  metrics?: boolean
  /** Name of the tracer and the meter (default `@batchkit/otel`). */
  name?: string
  /** Their version, when you want one recorded. */
  version?: string
  /** Histogram buckets in seconds (also advised to the SDK). */
  buckets?: MetricBuckets
}

/**
 * batchkit's telemetry on OpenTelemetry: spans of batch steps (`batchkit.step.<step>`) and provider
 * calls (`batchkit.execute`), and batchkit's metrics on a meter (`batchkit.lines.recorded`,
 * `batchkit.provider.call.duration`, …; names in docs/observability.md). Pass the host's own
 * `@opentelemetry/api` module: batchkit does not import it, so a host without OpenTelemetry installs
 * nothing, and without a registered SDK the API's no-op tracer and meter make this cost next to nothing.
 *
 * @example
 * import * as api from '@opentelemetry/api'
 * import { openTelemetry } from '@batchkit/otel'
 *
 * const engine = createBatchEngine({ store, providers, telemetry: openTelemetry(api) })
 */
export function openTelemetry(api: OpenTelemetryApi, options: OpenTelemetryOptions = {}): Telemetry {
  const name = options.name ?? '@batchkit/otel'
  const parts: Telemetry[] = []
  if (options.traces !== false) parts.push(tracingTelemetry(api, api.trace.getTracer(name, options.version)))
  if (options.metrics !== false) {
    parts.push(metricTelemetry(meterSink(api.metrics.getMeter(name, options.version)), options.buckets))
  }
  return combineTelemetry(parts)
}
