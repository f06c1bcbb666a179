import type {
  BatchStepEnd,
  BatchStepStart,
  Observation,
  ProviderCallEnd,
  ProviderCallStart,
  Telemetry,
} from '@batchkit/core/telemetry'
import { type OpenTelemetryApi, type OtelSpan, type OtelTracer, spanKind, spanStatus } from './api.ts'

/** Ends `span` with `error` recorded: an exception event, status ERROR and `error.type`. */
function endWithError(span: OtelSpan, error: unknown): void {
  const exception = error instanceof Error ? error : String(error)
  span.recordException(exception)
  span.setAttribute('error.type', error instanceof Error ? error.name : 'Error')
  span.setStatus({ code: spanStatus.error, message: error instanceof Error ? error.message : String(error) })
  span.end()
}

/** An observation of `span`: `within` makes it the active span, so spans below it nest under it. */
function spanObservation<End>(
  api: OpenTelemetryApi,
  span: OtelSpan,
  end: (span: OtelSpan, result: End) => void,
): Observation<End> {
  return {
    end: (result) => end(span, result),
    within: (work) => api.context.with(api.trace.setSpan(api.context.active(), span), work),
  }
}

/** Span `batchkit.step.<step>` (INTERNAL) around one batch-level step. */
function stepSpan(
  api: OpenTelemetryApi,
  tracer: OtelTracer,
  start: BatchStepStart,
): Observation<BatchStepEnd> {
  const span = tracer.startSpan(`batchkit.step.${start.step}`, {
    kind: spanKind.internal,
    attributes: {
      'batchkit.batch.id': start.batchId,
      'batchkit.step': start.step,
      'batchkit.batch.status': start.status,
      'batchkit.batch.mode': start.mode,
      'batchkit.provider': start.provider,
      'batchkit.worker.id': start.workerId,
    },
  })
  return spanObservation(api, span, (span, end) => {
    if (end.error !== undefined) return endWithError(span, end.error)
    if (end.transitionTo !== undefined) span.setAttribute('batchkit.batch.transition_to', end.transitionTo)
    if (end.wakeAt !== null) span.setAttribute('batchkit.batch.wake_at', end.wakeAt)
    span.setAttribute('batchkit.step.continues', end.continues)
    span.end()
  })
}

/** Span `batchkit.execute` (CLIENT) around one provider call, with the outcome decided for its line. */
function callSpan(
  api: OpenTelemetryApi,
  tracer: OtelTracer,
  start: ProviderCallStart,
): Observation<ProviderCallEnd> {
  const span = tracer.startSpan('batchkit.execute', {
    kind: spanKind.client,
    attributes: {
      'batchkit.provider': start.provider,
      'batchkit.batch.id': start.batchId,
      'batchkit.request.id': start.requestId,
      'batchkit.request.custom_id': start.customId,
      'batchkit.request.attempt': start.attempt,
      'batchkit.endpoint': start.endpoint,
      'gen_ai.request.model': start.model,
    },
  })
  return spanObservation(api, span, (span, end) => {
    span.setAttribute('batchkit.outcome', end.outcome)
    if (end.status !== undefined) span.setAttribute('http.response.status_code', end.status)
    if (end.rateLimited) span.setAttribute('batchkit.rate_limited', true)
    if (end.retryAt !== undefined) span.setAttribute('batchkit.retry.at', end.retryAt)
    if (end.unsent) span.setAttribute('batchkit.retry.unsent', true)
    if (end.usage) {
      span.setAttribute('gen_ai.usage.input_tokens', end.usage.inputTokens)
      span.setAttribute('gen_ai.usage.output_tokens', end.usage.outputTokens)
    }
    const answered = end.status !== undefined && end.status >= 200 && end.status < 300
    if (!answered || end.outcome === 'failed') {
      const type = end.errorCode ?? (end.status === undefined ? 'error' : String(end.status))
      span.setAttribute('error.type', type)
      span.setStatus({ code: spanStatus.error, message: type })
    }
    span.end()
  })
}

/**
 * A telemetry that traces batch steps and provider calls as OpenTelemetry spans (see
 * docs/observability.md for names and attributes). Each observation's `within` makes its span the
 * active one, so spans of instrumented HTTP clients or database drivers below it nest under it.
 *
 * @example
 * const telemetry = tracingTelemetry(api, api.trace.getTracer('batchkit'))
 */
export function tracingTelemetry(api: OpenTelemetryApi, tracer: OtelTracer): Telemetry {
  return {
    batchStep: (start) => stepSpan(api, tracer, start),
    providerCall: (start) => callSpan(api, tracer, start),
  }
}
