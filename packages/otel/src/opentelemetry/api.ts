/**
 * The part of `@opentelemetry/api` batchkit uses, typed structurally: the host passes its own
 * `import * as api from '@opentelemetry/api'`, so batchkit neither imports nor bundles the package (a
 * host without OpenTelemetry installs nothing) and always talks to the copy the host's SDK registered
 * with. Checked against the real API (1.9) by `api.test.ts`.
 */

/** An attribute value. */
export type OtelAttributeValue = string | number | boolean

/** Span or metric attributes. */
export type OtelAttributes = Record<string, OtelAttributeValue | undefined>

/** An OpenTelemetry context (opaque to batchkit). */
export interface OtelContext {
  getValue(key: symbol): unknown
}

/** A span: batchkit sets attributes and status, records exceptions and ends it. */
export interface OtelSpan {
  setAttribute(key: string, value: OtelAttributeValue): unknown
  setStatus(status: { code: number; message?: string }): unknown
  recordException(exception: Error | string): void
  end(): void
}

/** Starts spans. */
export interface OtelTracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: OtelAttributes },
    context?: OtelContext,
  ): OtelSpan
}

/** Options of a metric instrument. */
export interface OtelMetricOptions {
  description?: string
  unit?: string
  advice?: { explicitBucketBoundaries?: number[] }
}

/** An observable instrument (read by a batch callback). */
export interface OtelObservable {
  addCallback(callback: (result: { observe(value: number, attributes?: OtelAttributes): void }) => void): void
}

/** Creates instruments. */
export interface OtelMeter {
  createCounter(
    name: string,
    options?: OtelMetricOptions,
  ): { add(value: number, attributes?: OtelAttributes): void }
  createHistogram(
    name: string,
    options?: OtelMetricOptions,
  ): { record(value: number, attributes?: OtelAttributes): void }
  createObservableGauge(name: string, options?: OtelMetricOptions): OtelObservable
  addBatchObservableCallback(
    callback: (result: {
      observe(metric: OtelObservable, value: number, attributes?: OtelAttributes): void
    }) => void | Promise<void>,
    observables: OtelObservable[],
  ): void
}

/**
 * What {@link openTelemetry} needs of `@opentelemetry/api`: pass the module namespace itself
 * (`import * as api from '@opentelemetry/api'`).
 */
export interface OpenTelemetryApi {
  trace: {
    getTracer(name: string, version?: string): OtelTracer
    setSpan(context: OtelContext, span: OtelSpan): OtelContext
  }
  context: {
    active(): OtelContext
    with<T>(context: OtelContext, fn: () => T): T
  }
  metrics: {
    getMeter(name: string, version?: string): OtelMeter
  }
}

/** `SpanKind` values of the OpenTelemetry API (stable in the specification). */
export const spanKind = { internal: 0, client: 2 } as const

/** `SpanStatusCode` values of the OpenTelemetry API (stable in the specification). */
export const spanStatus = { ok: 1, error: 2 } as const
