/** The telemetry a CPU benchmark runs with: `BENCH_TELEMETRY` = none, prometheus, otel-noop or otel-sdk. */

import type { Telemetry } from '@batchkit/core'
import { openTelemetry, prometheusMetrics } from '@batchkit/otel'
import * as api from '@opentelemetry/api'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'

/** The kinds of telemetry `runner-cpu` compares. */
export const telemetryKinds = ['none', 'prometheus', 'otel-noop', 'otel-sdk'] as const
export type TelemetryKind = (typeof telemetryKinds)[number]

/** A metric reader nobody reads: the SDK still aggregates every measurement. */
class IdleReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Drops finished spans (after the SDK built and batched them). */
const dropSpans: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: async () => {},
}

/**
 * The telemetry of `kind`: nothing; `prometheusMetrics()`; `openTelemetry(api)` without an SDK (the API's
 * no-ops); or with the trace and metrics SDKs registered (a batch span processor, an idle reader).
 *
 * @example
 * const telemetry = benchTelemetry('prometheus')
 */
export function benchTelemetry(kind: TelemetryKind): Telemetry | undefined {
  switch (kind) {
    case 'none':
      return undefined
    case 'prometheus':
      return prometheusMetrics().telemetry
    case 'otel-noop':
      return openTelemetry(api)
    case 'otel-sdk':
      api.trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] }),
      )
      api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new IdleReader()] }))
      return openTelemetry(api)
  }
}
