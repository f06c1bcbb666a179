import * as api from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { type DataPoint, MeterProvider, type MetricData, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScriptedBatch } from '../__fixtures__/scripted-run.ts'
import { openTelemetry } from './open-telemetry.ts'

/** A metric reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const spans = new InMemorySpanExporter()
const reader = new TestReader()
const contextManager = new AsyncLocalStorageContextManager()

beforeAll(() => {
  api.context.setGlobalContextManager(contextManager.enable())
  api.trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  )
  api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
})

afterAll(() => {
  api.trace.disable()
  api.metrics.disable()
  api.context.disable()
})

const named = (name: string): ReadableSpan[] => spans.getFinishedSpans().filter((s) => s.name === name)
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId

async function collected(): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect()
  expect(errors).toEqual([])
  const byName = new Map<string, MetricData>()
  for (const scope of resourceMetrics.scopeMetrics)
    for (const m of scope.metrics) byName.set(m.descriptor.name, m)
  return byName
}

/** The value of the data point of `metric` whose attributes include `attributes`. */
function point(
  metric: MetricData | undefined,
  attributes: Record<string, string>,
): DataPoint<unknown> | undefined {
  return (metric?.dataPoints as DataPoint<unknown>[] | undefined)?.find((p) =>
    Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  )
}

describe('openTelemetry(api)', () => {
  it('traces steps and provider calls, nests the client’s own spans, and reports metrics', async () => {
    // The provider makes a span of its own, as an instrumented HTTP client would.
    const httpTracer = api.trace.getTracer('http-client')
    const { kit, batch } = await runScriptedBatch([
      openTelemetry(api, { version: '0.1.0' }),
      {
        providerCall: () => ({
          end() {},
          within: (work) => {
            const span = httpTracer.startSpan('POST /v1/chat/completions')
            try {
              return work()
            } finally {
              span.end()
            }
          },
        }),
      },
    ])
    expect(batch.status).toBe('completed')
    expect(batch.request_counts).toEqual({ total: 4, completed: 3, failed: 1 })

    // Batch steps: validate (→ in_progress), run (→ finalizing), finish (→ completed), terminal work.
    const steps = spans.getFinishedSpans().filter((s) => s.name.startsWith('batchkit.step.'))
    expect(
      steps.map((s) => [
        s.name,
        s.attributes['batchkit.batch.status'],
        s.attributes['batchkit.batch.transition_to'],
      ]),
    ).toEqual([
      ['batchkit.step.validate', 'validating', 'in_progress'],
      ['batchkit.step.run', 'in_progress', 'finalizing'],
      ['batchkit.step.finish', 'finalizing', 'completed'],
      ['batchkit.step.terminal', 'completed', undefined],
    ])
    expect(steps[0]!.kind).toBe(api.SpanKind.INTERNAL)
    expect(steps[0]!.attributes).toMatchObject({
      'batchkit.batch.id': batch.id,
      'batchkit.step': 'validate',
      'batchkit.batch.mode': 'emulated',
      'batchkit.provider': 'scripted',
      'batchkit.step.continues': false,
    })
    expect(steps[1]!.attributes['batchkit.step.continues']).toBe(true)
    expect(steps[0]!.instrumentationScope).toMatchObject({ name: '@batchkit/otel', version: '0.1.0' })

    // Provider calls: six attempts over four lines.
    const calls = named('batchkit.execute')
    const byLine = (customId: string) =>
      calls.filter((s) => s.attributes['batchkit.request.custom_id'] === customId)
    expect(calls).toHaveLength(6)
    for (const call of calls) {
      expect(call.kind).toBe(api.SpanKind.CLIENT)
      expect(call.attributes).toMatchObject({
        'batchkit.provider': 'scripted',
        'batchkit.batch.id': batch.id,
        'batchkit.endpoint': '/v1/chat/completions',
        'gen_ai.request.model': 'gpt-test',
      })
      expect(call.attributes['batchkit.request.id']).toMatch(/^batch_req_/)
    }
    const [limited, retried] = byLine('req-2')
    expect(limited!.attributes).toMatchObject({
      'batchkit.request.attempt': 1,
      'batchkit.outcome': 'retry',
      'http.response.status_code': 429,
      'batchkit.rate_limited': true,
      'error.type': '429',
    })
    expect(limited!.attributes['batchkit.retry.at']).toBeGreaterThan(0)
    expect(limited!.status).toEqual({ code: api.SpanStatusCode.ERROR, message: '429' })
    expect(retried!.attributes).toMatchObject({
      'batchkit.request.attempt': 2,
      'batchkit.outcome': 'succeeded',
      'http.response.status_code': 200,
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
    })
    expect(retried!.status.code).toBe(api.SpanStatusCode.UNSET)
    expect(byLine('req-3')[0]!.attributes).toMatchObject({
      'batchkit.outcome': 'failed',
      'error.type': '400',
    })
    expect(byLine('req-4')[0]!.attributes).toMatchObject({
      'batchkit.outcome': 'retry',
      'error.type': 'request_timeout',
    })
    expect(byLine('req-4')[0]!.attributes['http.response.status_code']).toBeUndefined()

    // The client's spans are children of the call they belong to.
    const http = named('POST /v1/chat/completions')
    expect(http).toHaveLength(6)
    expect(new Set(http.map(parentOf))).toEqual(new Set(calls.map((s) => s.spanContext().spanId)))

    const metrics = await collected()
    expect(metrics.get('batchkit.provider.calls')?.descriptor.unit).toBe('{call}')
    expect(point(metrics.get('batchkit.provider.calls'), { outcome: 'retry', status: '429' })?.value).toBe(1)
    expect(
      point(metrics.get('batchkit.provider.calls'), { outcome: 'succeeded', status: '200' })?.value,
    ).toBe(3)
    expect(point(metrics.get('batchkit.provider.rate_limited'), { provider: 'scripted' })?.value).toBe(1)
    expect(point(metrics.get('batchkit.retries'), { reason: 'rate_limited' })?.value).toBe(1)
    expect(point(metrics.get('batchkit.retries'), { reason: 'network' })?.value).toBe(1)
    expect(point(metrics.get('batchkit.lines.recorded'), { outcome: 'succeeded' })?.value).toBe(3)
    expect(point(metrics.get('batchkit.lines.recorded'), { outcome: 'failed' })?.value).toBe(1)
    expect(point(metrics.get('batchkit.lines.recorded'), { outcome: 'retry' })?.value).toBe(2)
    expect(point(metrics.get('batchkit.batch.transitions'), { to: 'completed' })?.value).toBe(1)
    const duration = metrics.get('batchkit.provider.call.duration')
    expect(duration?.descriptor.unit).toBe('s')
    expect(point(duration, { outcome: 'succeeded' })?.value).toMatchObject({ count: 3 })
    const histogram = point(duration, { outcome: 'succeeded' })!.value as {
      buckets: { boundaries: number[] }
    }
    expect(histogram.buckets.boundaries[0]).toBe(0.005)
    // Gauges: nothing held once idle; the batch is done, so no backlog.
    expect(point(metrics.get('batchkit.lines.held'), { state: 'running' })?.value).toBe(0)
    expect(metrics.get('batchkit.backlog.lines')?.dataPoints ?? []).toEqual([])
    expect(point(metrics.get('batchkit.store.failing'), { operation: 'record' })?.value).toBe(0)
    await kit.close()
  })
})
